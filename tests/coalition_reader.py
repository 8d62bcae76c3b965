"""The attacker of the coalition figures: what a reader can work out from published CSVs.

It reads only the published strings of a coalition export (``"12"``, ``"<5"``, ``"*"``,
``"[c]"``) and what anyone who reads the source knows about them, written out here from the
tables' meaning, independently of ``referrals/dashboard/coalition.py``:

* in each table, the cells of a row add up to the row's total, those of a column to the
  column's total, and the row totals and the column totals to the grand total;
* the decline reasons table breaks down the status table's "rejected" column (a partner's
  reasons add up to its rejected cell, and all of them to the rejected column's total);
* the outcomes table breaks down the "completed" and "failed" columns (its row totals are those
  column totals, its grand total their sum).

Given several exports, it puts every one into one system (a figure is a variable per export,
or shared between two exports when the reader is told they count the same referrals) and asks
of every hidden figure whether it has a second possible value: the exhaustive search of
``tests/test_suppression.py`` (bounds propagation and bisection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from referrals.dashboard.coalition_counts import (
    CLOSING_STATUSES,
    COALITION_STATUSES,
    CoalitionCounts,
)
from referrals.enums import DeclineReason, OutcomeCode
from tests.test_suppression import Equation, reader_range, solve

Figure = tuple[str, str]  # (section, label) as in the CSV's first two columns
TOTAL = "total"


def parse_export(body: bytes) -> dict[Figure, str]:
    """A coalition CSV: every published figure by (section, label); the period rows too."""
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "label", "value"]
    return {(section, label): value for section, label, value in rows[1:]}


def _split(label: str) -> tuple[str, str]:
    row, _, column = label.partition(" / ")
    return row, column


def equations(figures: Iterable[Figure]) -> list[list[tuple[Figure, int]]]:
    """The linear relations between one export's figures (each sums to zero)."""
    tables: dict[str, dict[tuple[str, str], Figure]] = {}
    for section, label in figures:
        if section != "period":
            row, column = _split(label) if label != TOTAL else (TOTAL, TOTAL)
            tables.setdefault(section, {})[(row, column or TOTAL)] = (section, label)
    relations: list[list[tuple[Figure, int]]] = []
    for positions in tables.values():
        rows = {row for row, _column in positions}
        columns = {column for _row, column in positions}
        for row in rows:  # the row totals' row is the column totals; TOTAL x TOTAL the grand
            relations.append(
                [(positions[row, c], 1) for c in columns if c != TOTAL]
                + [(positions[row, TOTAL], -1)]
            )
        for column in columns:
            relations.append(
                [(positions[r, column], 1) for r in rows if r != TOTAL]
                + [(positions[TOTAL, column], -1)]
            )
    status, reasons = tables["status"], tables["decline_reason"]
    for partner in {row for row, _c in status}:
        relations.append([(status[partner, "rejected"], 1), (reasons[partner, TOTAL], -1)])
    outcomes = tables["outcome"]
    for closing in ("completed", "failed"):
        relations.append([(status[TOTAL, closing], 1), (outcomes[closing, TOTAL], -1)])
    return relations


def determined(
    exports: list[Mapping[Figure, str]],
    truths: list[Mapping[Figure, int]],
    *,
    k: int,
    same_referrals: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, Figure, int]]:
    """Hidden figures (export index, figure, true value) that every consistent reading fixes.

    ``same_referrals`` lists pairs of exports the reader knows to count the same referrals
    (the same quarter asked twice): their figures are then the same variables.
    """
    owner = list(range(len(exports)))
    for a, b in same_referrals:
        owner[b] = owner[a]
    index: dict[tuple[int, Figure], int] = {}
    published: list[str] = []
    truth: list[int] = []
    for n, (export, true) in enumerate(zip(exports, truths, strict=True)):
        for figure, text in export.items():
            if figure[0] == "period":
                continue
            key = (owner[n], figure)
            if key in index:
                assert published[index[key]] == text, f"{figure}: two answers for one question"
                continue
            index[key] = len(published)
            published.append(text)
            truth.append(true[figure])
    system: list[Equation] = []
    for n, export in enumerate(exports):
        if owner[n] == n:
            for relation in equations(export):
                system.append([(index[(n, figure)], sign) for figure, sign in relation])
    # An open range is searched up to this cap: a second reading found below it is real, and it
    # leaves every hidden figure room to move up (as in tests/test_suppression.py).
    cap = sum(truth) + 2 * k + 2
    domains = [reader_range(text, k=k, suppress_zeros=False, cap=cap) for text in published]
    for text, value, (low, high) in zip(published, truth, domains, strict=True):
        assert low <= value <= high, f"{text!r} published for {value}"
    assert solve(domains, system) is not None  # the truth itself is consistent
    hidden = [v for v, text in enumerate(published) if not text.isdigit()]
    moved: set[int] = set()
    fixed = []
    for v in hidden:
        if v in moved:
            continue
        other = None
        for part in ((domains[v][0], truth[v] - 1), (truth[v] + 1, domains[v][1])):
            if part[0] <= part[1]:
                attempt = list(domains)
                attempt[v] = part
                other = solve(attempt, system)
                if other is not None:
                    break
        if other is None:
            fixed.append(v)
        else:
            moved.update(w for w in hidden if other[w] != truth[w])
    by_position = {v: key for key, v in index.items()}
    return [(by_position[v][0], by_position[v][1], truth[v]) for v in fixed]


def true_figures(counts: CoalitionCounts) -> dict[Figure, int]:
    """Every figure's true value, from the counts (the labels as a reader sees them)."""
    figures: dict[Figure, int] = {}

    def table(section: str, rows: list[str], columns: list[str], cells: list[list[int]]) -> None:
        for row, values in zip(rows, cells, strict=True):
            for column, value in zip(columns, values, strict=True):
                figures[section, f"{row} / {column}"] = value
            figures[section, f"{row} / total"] = sum(values)
        for j, column in enumerate(columns):
            figures[section, f"total / {column}"] = sum(values[j] for values in cells)
        figures[section, "total"] = sum(map(sum, cells))

    table("status", counts.partners, [s.value for s in COALITION_STATUSES], counts.by_status)
    table("decline_reason", counts.partners, [r.value for r in DeclineReason], counts.declines)
    table(
        "outcome",
        [s.value for s in CLOSING_STATUSES],
        [o.value for o in OutcomeCode],
        counts.outcomes,
    )
    return figures
