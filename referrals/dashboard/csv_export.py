"""CSV for spreadsheets: UTF-8 with a byte-order mark, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from flask import Response

from referrals.localtime import zone

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets (OWASP
# "CSV injection"); a leading apostrophe makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """The cell as text: enums as codes, times in the coalition's zone as ISO 8601 without
    the offset (the header names the zone; spreadsheets read this form as a time),
    formulas neutralized."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, datetime):
        text = value.astimezone(zone()).strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def render(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """One CSV table, with the byte-order mark Excel needs to read UTF-8."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def attachment(body: str, filename: str) -> Response:
    """A download, never shown inline nor cached on a shared machine."""
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


LONG_HEADER = ("section", "label", "value")
REFERRAL_HEADER = (
    "public_id",
    "status",
    "program",
    "partner",
    "sent_at",
    "responded_at",
    "decline_reason",
    "outcome",
)


def dashboard_rows(data: Any) -> list[tuple[str, str, Any]]:
    """The dashboard's figures in long format: section, label, value (codes, not labels)."""
    rows: list[tuple[str, str, Any]] = []
    for status, sides in data.breakdown.by_status.items():
        rows.append(("status", status.value, sides["total"]))
    for section, table in (
        ("partner", data.breakdown.partners),
        ("program", data.breakdown.programs),
    ):
        for row in table.values():
            rows.append((f"{section}_sent", row.label, row.sent))
            rows.append((f"{section}_accepted", row.label, row.accepted))
            rows.append((f"{section}_declined", row.label, row.declined))
            rate = row.acceptance_rate
            rows.append((f"{section}_acceptance_rate", row.label, rate))
            for reason, n in row.reasons.items():
                rows.append((f"{section}_decline_reason", f"{row.label} / {reason.value}", n))
    for timing in data.timings:
        rows.append(("median_hours_to_response", timing.label, timing.to_response))
        rows.append(("median_hours_to_acceptance", timing.label, timing.to_acceptance))
    for outcome, n in data.breakdown.outcomes.items():
        rows.append(("outcome", outcome.value, n))
    for week in data.trend:
        start = week.start.isoformat()
        rows.extend(
            [
                ("week_sent", start, week.sent),
                ("week_accepted", start, week.accepted),
                ("week_completed", start, week.completed),
            ]
        )
    for program in data.capacity:
        label = f"{program.name} ({program.organization.name})"
        rows.append(("capacity_available", label, program.capacity_available))
        rows.append(("capacity_maximum", label, program.capacity_maximum))
    return rows


def coalition_rows(quarter: Any, tables: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The quarter, then its suppressed tables in long format: only the published strings
    ("<5", "*", ...)."""
    rows: list[tuple[str, str, Any]] = [
        ("period", "quarter", quarter.code),
        ("period", "first_day", quarter.start.isoformat()),
        ("period", "last_day", quarter.end.isoformat()),
        ("period", "status_as_of", quarter.ends_at),
    ]
    for section, table in tables.items():
        for label, cells, total in zip(
            table.row_labels, table.cells, table.row_totals, strict=True
        ):
            for column, cell in zip(table.column_labels, cells, strict=True):
                rows.append((section, f"{label} / {column}", cell.display(table.k)))
            rows.append((section, f"{label} / total", total.display(table.k)))
        for column, cell in zip(table.column_labels, table.column_totals, strict=True):
            rows.append((section, f"total / {column}", cell.display(table.k)))
        rows.append((section, "total", table.grand_total.display(table.k)))
    return rows
