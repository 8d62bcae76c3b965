"""The coalition's three tables are suppressed together: no hidden count follows from the others.

Pure tests (no database): counts in, the published CSV strings out, and the reader of
``tests/coalition_reader.py`` tries to pin every hidden figure using all three tables at once.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.dashboard.coalition import suppress_linked
from referrals.dashboard.coalition_counts import (
    CLOSING_STATUSES,
    COALITION_STATUSES,
    CoalitionCounts,
)
from referrals.dashboard.csv_export import coalition_rows
from referrals.dashboard.periods import Quarter
from referrals.dashboard.suppression import suppress_table
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus
from tests.coalition_reader import Figure, determined, true_figures

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

QUARTER = Quarter(2026, 1)
S = ReferralStatus


def published(counts: CoalitionCounts, k: int) -> dict[Figure, str]:
    tables = suppress_linked(counts, k)
    return {(section, label): value for section, label, value in coalition_rows(QUARTER, tables)}


def build(referrals: list[tuple[int, S, int]], n_partners: int) -> CoalitionCounts:
    """Counts from (partner, status, reason-or-outcome index) triples."""
    counts = CoalitionCounts(partners=[f"Partner {i}" for i in range(n_partners)])
    counts.by_status = [[0] * len(COALITION_STATUSES) for _ in range(n_partners)]
    counts.declines = [[0] * len(DeclineReason) for _ in range(n_partners)]
    for partner, status, code in referrals:
        counts.by_status[partner][COALITION_STATUSES.index(status)] += 1
        if status == S.REJECTED:
            counts.declines[partner][code % len(DeclineReason)] += 1
        elif status in CLOSING_STATUSES:
            counts.outcomes[CLOSING_STATUSES.index(status)][code % len(OutcomeCode)] += 1
    return counts


def check(counts: CoalitionCounts, k: int) -> None:
    truth = true_figures(counts)
    figures = published(counts, k)
    del figures["period", "quarter"], figures["period", "first_day"]
    del figures["period", "last_day"], figures["period", "status_as_of"]
    assert figures.keys() == truth.keys()
    for figure, text in figures.items():
        value = truth[figure]
        if 1 <= value < k:
            assert not text.isdigit(), f"{figure}: {value} published"
        if text.isdigit():
            assert int(text) == value, figure
    assert determined([figures], [truth], k=k) == []


def test_tables_suppressed_one_at_a_time_gave_counts_away() -> None:
    """The old way, each table on its own: the reader pins partner 1's single decline."""
    counts = build(
        [(0, S.ACCEPTED, 0)] * 7
        + [(0, S.REJECTED, 0)] * 5
        + [(0, S.REJECTED, 1)] * 5
        + [(0, S.REQUESTED, 0)]
        + [(1, S.ACCEPTED, 0)] * 5
        + [(1, S.REJECTED, 0)],
        n_partners=2,
    )
    linked = published(counts, 5)
    separately = dict(linked)  # the same labels, each table suppressed without the others
    for section, rows, columns, cells in (
        ("status", counts.partners, COALITION_STATUSES, counts.by_status),
        ("decline_reason", counts.partners, list(DeclineReason), counts.declines),
        ("outcome", list(CLOSING_STATUSES), list(OutcomeCode), counts.outcomes),
    ):
        labels = [getattr(r, "value", r) for r in rows]
        table = suppress_table(cells, row_labels=labels, column_labels=[c.value for c in columns])
        for row, shown, total in zip(labels, table.cells, table.row_totals, strict=True):
            for column, cell in zip(columns, shown, strict=True):
                separately[section, f"{row} / {column.value}"] = cell.display(5)
            separately[section, f"{row} / total"] = total.display(5)
        for column, cell in zip(columns, table.column_totals, strict=True):
            separately[section, f"total / {column.value}"] = cell.display(5)
        separately[section, "total"] = table.grand_total.display(5)
    truth = true_figures(counts)
    leaked = {figure: value for _n, figure, value in determined([separately], [truth], k=5)}
    assert leaked["status", "Partner 1 / rejected"] == 1
    assert determined([linked], [truth], k=5) == []


referral = st.tuples(st.integers(0, 3), st.sampled_from(COALITION_STATUSES), st.integers(0, 7))


@settings(max_examples=120, deadline=None)
@given(
    n_partners=st.integers(1, 4),
    referrals=st.lists(referral, max_size=60),
    k=st.sampled_from([3, 5]),
)
def test_no_hidden_count_follows_from_the_three_tables(
    n_partners: int, referrals: list[tuple[int, S, int]], k: int
) -> None:
    counts = build([(p % n_partners, s, c) for p, s, c in referrals], n_partners)
    check(counts, k)


def test_empty_quarter_publishes_zero_tables() -> None:
    tables = suppress_linked(CoalitionCounts(), 5)
    assert [t.grand_total.display(5) for t in tables.values()] == ["0", "0", "0"]
    assert tables["outcome"].row_labels == ("completed", "failed")
