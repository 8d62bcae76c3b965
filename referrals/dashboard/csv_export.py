"""CSV for spreadsheets: UTF-8 with a byte-order mark, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from flask import Response, current_app
from flask_babel import gettext as _

from referrals.localtime import show_date, zone

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


# The coalition's export keeps its long codes-only form: the differencing proof reads it
# (tests/coalition_reader.py), and each of its figures is a published, suppressed string.
LONG_HEADER = ("section", "label", "value")


def figure_header() -> tuple[str, ...]:
    """Words for people, then the codes for programs reading the file."""
    return (_("Figure"), _("Of"), _("Value"), _("Figure code"), _("Item code"))


def referral_header() -> tuple[str, ...]:
    zone_name = str(current_app.config["COALITION_TIMEZONE"])
    return (
        _("Referral"),
        _("Status"),
        _("Program"),
        _("Partner"),
        _("Sent (%(zone)s)", zone=zone_name),
        _("Answered (%(zone)s)", zone=zone_name),
        _("Decline reason"),
        _("Outcome"),
        _("Status code"),
        _("Decline reason code"),
        _("Outcome code"),
    )


def referral_rows(records: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """The referral list (stats.referral_list) with labels, and the codes at the end."""
    rows = []
    for public_id, status, program, partner, sent, answered, reason, outcome in records:
        rows.append(
            (
                public_id,
                status.label,
                program,
                partner,
                sent,
                answered,
                reason.label if reason else None,
                outcome.label if outcome else None,
                status,
                reason,
                outcome,
            )
        )
    return rows


def _figures() -> dict[str, str]:
    """The label of each figure code (translated when the export is made)."""
    return {
        "status": _("Referrals by status"),
        "partner_sent": _("Sent, by partner"),
        "partner_accepted": _("Accepted, by partner"),
        "partner_declined": _("Declined, by partner"),
        "partner_acceptance_rate": _("Accepted of answered (0 to 1), by partner"),
        "partner_decline_reason": _("Declined for this reason, by partner"),
        "program_sent": _("Sent, by program"),
        "program_accepted": _("Accepted, by program"),
        "program_declined": _("Declined, by program"),
        "program_acceptance_rate": _("Accepted of answered (0 to 1), by program"),
        "program_decline_reason": _("Declined for this reason, by program"),
        "median_hours_to_response": _("Median hours to the first answer"),
        "median_hours_to_acceptance": _("Median hours to acceptance"),
        "outcome": _("Closed referrals by outcome"),
        "week_sent": _("Sent in the week starting"),
        "week_accepted": _("Accepted in the week starting"),
        "week_completed": _("Completed in the week starting"),
        "capacity_available": _("Open places"),
        "capacity_maximum": _("Places in all"),
    }


def dashboard_rows(data: Any) -> list[tuple[str, str, Any, str, Any]]:
    """The dashboard's figures in long format: figure, of what, value, then both codes."""
    figures = _figures()
    rows: list[tuple[str, str, Any, str, Any]] = []

    def add(code: str, item: str, value: Any, item_code: Any) -> None:
        rows.append((figures[code], item, value, code, item_code))

    for status, sides in data.breakdown.by_status.items():
        add("status", status.label, sides["total"], status)
    for section, table in (
        ("partner", data.breakdown.partners),
        ("program", data.breakdown.programs),
    ):
        for ident, row in table.items():
            add(f"{section}_sent", row.label, row.sent, ident)
            add(f"{section}_accepted", row.label, row.accepted, ident)
            add(f"{section}_declined", row.label, row.declined, ident)
            add(f"{section}_acceptance_rate", row.label, row.acceptance_rate, ident)
            for reason, n in row.reasons.items():
                item = f"{row.label} / {reason.label}"
                add(f"{section}_decline_reason", item, n, f"{ident}/{reason.value}")
    for timing in data.timings:
        add("median_hours_to_response", timing.label, timing.to_response, "")
        add("median_hours_to_acceptance", timing.label, timing.to_acceptance, "")
    for outcome, n in data.breakdown.outcomes.items():
        add("outcome", outcome.label, n, outcome)
    for week in data.trend:
        day, start = show_date(week.start), week.start.isoformat()
        add("week_sent", day, week.sent, start)
        add("week_accepted", day, week.accepted, start)
        add("week_completed", day, week.completed, start)
    for program in data.capacity:
        label = f"{program.name} ({program.organization.name})"
        add("capacity_available", label, program.capacity_available, program.id)
        add("capacity_maximum", label, program.capacity_maximum, program.id)
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
