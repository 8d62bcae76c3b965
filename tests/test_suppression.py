"""Small-cell suppression: what a coalition-wide table may publish.

Pure unit tests: no app, no database. The property tests play the reader: they take only the
published strings (``"12"``, ``"<5"``, ``"*"``, ``"[c]"``) and the table's shape, and search for
a different non-negative integer table consistent with everything published. That search is an
exhaustive bounds-propagation + bisection search written here, independent of the flow algorithm
in the module, so a pass means: no hidden count is determined by what is published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.dashboard.suppression import (
    COMPLEMENTARY_MARK,
    WITHHELD_MARK,
    Cell,
    Reason,
    SuppressedSeries,
    SuppressedTable,
    suppress_series,
    suppress_table,
)

# --------------------------------------------------------------------------------------------
# The reader: consistent completions of a publication.

Domain = tuple[int, int]
# One linear equation: sum(coefficient * value) == 0, coefficients +1 or -1.
Equation = list[tuple[int, int]]


def reader_range(text: str, *, k: int, suppress_zeros: bool, cap: int) -> Domain:
    """What a published string tells a reader who knows the rules (``cap`` stands for infinity).

    Capping an open range only shrinks the set of completions searched, so any second
    completion found within it is a real one: the check stays sound.
    """
    if text.isdigit():
        return int(text), int(text)
    if text == f"<{k}":
        return (0 if suppress_zeros else 1), k - 1
    if text == COMPLEMENTARY_MARK:
        return k, cap
    if text == WITHHELD_MARK:
        return 0, cap
    raise AssertionError(f"unexpected published string {text!r}")


def table_equations(n_rows: int, n_cols: int) -> list[Equation]:
    """Positions: cells row by row, then row totals, column totals, grand total."""

    def cell(i: int, j: int) -> int:
        return i * n_cols + j

    def row(i: int) -> int:
        return n_rows * n_cols + i

    def col(j: int) -> int:
        return n_rows * n_cols + n_rows + j

    grand = n_rows * n_cols + n_rows + n_cols
    equations = [[(cell(i, j), 1) for j in range(n_cols)] + [(row(i), -1)] for i in range(n_rows)]
    equations += [[(cell(i, j), 1) for i in range(n_rows)] + [(col(j), -1)] for j in range(n_cols)]
    equations.append([(row(i), 1) for i in range(n_rows)] + [(grand, -1)])
    equations.append([(col(j), 1) for j in range(n_cols)] + [(grand, -1)])
    return equations


def _sum_range(domains: list[Domain], equation: Equation) -> Domain:
    low = sum(domains[v][0] if a > 0 else -domains[v][1] for v, a in equation)
    high = sum(domains[v][1] if a > 0 else -domains[v][0] for v, a in equation)
    return low, high


def propagate(domains: list[Domain], equations: list[Equation]) -> list[Domain] | None:
    """Narrow every range by every equation until nothing changes; None if one empties."""
    domains = list(domains)
    changed = True
    while changed:
        changed = False
        for equation in equations:
            for v, a in equation:
                low, high = _sum_range(domains, equation)
                if low > 0 or high < 0:
                    return None
                lo, hi = domains[v]
                # a * x_v = -(sum of the others), whose range is known.
                rest_low = low - (lo if a > 0 else -hi)
                rest_high = high - (hi if a > 0 else -lo)
                new = (
                    (max(lo, -rest_high), min(hi, -rest_low))
                    if a > 0
                    else (
                        max(lo, rest_low),
                        min(hi, rest_high),
                    )
                )
                if new[0] > new[1]:
                    return None
                if new != (lo, hi):
                    domains[v] = new
                    changed = True
    return domains


def solve(domains: list[Domain], equations: list[Equation]) -> list[int] | None:
    """Any integer solution within the ranges (complete: propagation, then bisection)."""
    narrowed = propagate(domains, equations)
    if narrowed is None:
        return None
    open_positions = [v for v, (lo, hi) in enumerate(narrowed) if lo < hi]
    if not open_positions:
        return [lo for lo, _hi in narrowed]
    v = min(open_positions, key=lambda p: narrowed[p][1] - narrowed[p][0])
    lo, hi = narrowed[v]
    middle = (lo + hi) // 2
    for part in ((lo, middle), (middle + 1, hi)):
        attempt = list(narrowed)
        attempt[v] = part
        found = solve(attempt, equations)
        if found is not None:
            return found
    return None


def determined_positions(
    published: Sequence[str],
    truth: Sequence[int],
    equations: list[Equation],
    *,
    k: int,
    suppress_zeros: bool,
) -> list[int]:
    """Hidden positions whose value is the same in every table consistent with the publication."""
    cap = sum(truth) + 2 * k + 2
    domains = [reader_range(t, k=k, suppress_zeros=suppress_zeros, cap=cap) for t in published]
    for text, value, (lo, hi) in zip(published, truth, domains, strict=True):
        assert lo <= value <= hi, f"{text!r} is published for {value}"
    assert solve(domains, equations) is not None  # the truth itself is consistent
    hidden = [v for v, text in enumerate(published) if not text.isdigit()]
    moved: set[int] = set()
    determined = []
    for v in hidden:
        if v in moved:
            continue  # an earlier second completion already gave it another value
        other = None
        for part in ((domains[v][0], truth[v] - 1), (truth[v] + 1, domains[v][1])):
            if part[0] <= part[1]:
                attempt = list(domains)
                attempt[v] = part
                other = solve(attempt, equations)
                if other is not None:
                    break
        if other is None:
            determined.append(v)
        else:
            moved.update(w for w in hidden if other[w] != truth[w])
    return determined


def check_table(
    table: SuppressedTable, counts: Sequence[Sequence[int]], suppress_zeros: bool
) -> None:
    """The three published guarantees, checked on one table."""
    k = table.k
    every = table.all_cells()
    published = [cell.display(k) for cell in every]
    truth = [cell.value for cell in every]
    # The cells carry the true counts and the totals add up.
    assert [[c.value for c in row] for row in table.cells] == [list(row) for row in counts]
    assert [c.value for c in table.row_totals] == [sum(row) for row in counts]
    assert [c.value for c in table.column_totals] == [
        sum(row[j] for row in counts) for j in range(len(counts[0]))
    ]
    assert table.grand_total.value == sum(map(sum, counts))
    for text, value in zip(published, truth, strict=True):
        small = 1 <= value < k or (suppress_zeros and value == 0)
        if small:  # every small count is hidden ...
            assert not text.isdigit(), f"{value} published as {text!r}"
        if text.isdigit():  # ... and what is shown is true
            assert int(text) == value
    n_rows, n_cols = len(table.row_labels), len(table.column_labels)
    determined = determined_positions(
        published, truth, table_equations(n_rows, n_cols), k=k, suppress_zeros=suppress_zeros
    )
    assert not determined, f"{counts}: {published} lets a reader recover positions {determined}"


def check_series(series: SuppressedSeries, counts: Sequence[int], suppress_zeros: bool) -> None:
    k = series.k
    every = [*series.cells, series.total]
    published = [cell.display(k) for cell in every]
    truth = [*counts, sum(counts)]
    assert [cell.value for cell in every] == truth
    for text, value in zip(published, truth, strict=True):
        if 1 <= value < k or (suppress_zeros and value == 0):
            assert not text.isdigit()
        if text.isdigit():
            assert int(text) == value
    equation = [(i, 1) for i in range(len(counts))] + [(len(counts), -1)]
    determined = determined_positions(
        published, truth, [equation], k=k, suppress_zeros=suppress_zeros
    )
    assert not determined, f"{counts}: {published} lets a reader recover positions {determined}"


def table(counts: Sequence[Sequence[int]], **options: Any) -> SuppressedTable:
    n_cols = len(counts[0]) if counts else 0
    return suppress_table(
        counts,
        row_labels=[f"row {i}" for i in range(len(counts))],
        column_labels=[f"col {j}" for j in range(n_cols)],
        **options,
    )


def shown(t: SuppressedTable) -> list[list[str]]:
    return t.display_rows()


# --------------------------------------------------------------------------------------------
# The reader is a real attacker: it recovers what naive suppression leaves open.


def test_reader_recovers_a_lone_hidden_cell_from_the_row_total() -> None:
    # Primary suppression only: 3 = 25 - 10 - 12.
    published = ["<5", "10", "12", "25", "<5", "10", "12", "25"]
    truth = [3, 10, 12, 25, 3, 10, 12, 25]
    assert determined_positions(
        published, truth, table_equations(1, 3), k=5, suppress_zeros=False
    ) == [0, 4]


def test_reader_recovers_two_hidden_cells_each_alone_in_its_column() -> None:
    # [[2, 3, 20], [30, 40, 50]]: hiding both small cells of row 0 satisfies "two per row",
    # but each is the only hidden cell of its column, so the column totals give both away.
    counts = [[2, 3, 20], [30, 40, 50]]
    published = ["<5", "<5", "20", "30", "40", "50", "25", "120", "32", "43", "70", "145"]
    truth = [2, 3, 20, 30, 40, 50, 25, 120, 32, 43, 70, 145]
    assert determined_positions(
        published, truth, table_equations(2, 3), k=5, suppress_zeros=False
    ) == [0, 1]
    check_table(table(counts), counts, suppress_zeros=False)


def test_reader_uses_the_ranges_not_just_the_equations() -> None:
    # Two "<3" cells whose total is "<3": both are 1, although nothing is shown.
    published = ["<3", "<3", "<3", "<3", "<3", "<3"]
    truth = [1, 1, 2, 1, 1, 2]
    assert determined_positions(
        published, truth, table_equations(1, 2), k=3, suppress_zeros=False
    ) == [0, 1, 2, 3, 4, 5]


# --------------------------------------------------------------------------------------------
# Examples.


def test_one_small_cell_gets_a_complement_in_its_row_and_its_column() -> None:
    counts = [[3, 10, 12], [8, 9, 15], [20, 7, 11]]
    t = table(counts)
    assert shown(t) == [["<5", "*", "12"], ["*", "*", "15"], ["20", "7", "11"]]
    # The smallest cells that close the rectangle: 10 in its row, 8 in its column (and 9).
    assert t.cells[0][0].reason is Reason.SMALL
    assert t.cells[0][1].reason is t.cells[1][0].reason is Reason.COMPLEMENTARY
    assert [c.display(5) for c in t.row_totals] == ["25", "32", "38"]
    assert [c.display(5) for c in t.column_totals] == ["31", "26", "38"]
    assert t.grand_total.display(5) == "95"
    check_table(t, counts, suppress_zeros=False)


def test_two_small_cells_in_one_column_protect_each_other_in_part() -> None:
    counts = [[3, 10, 12], [4, 9, 15], [20, 7, 11]]
    t = table(counts)
    assert shown(t) == [["<5", "*", "12"], ["<5", "*", "15"], ["20", "7", "11"]]
    check_table(t, counts, suppress_zeros=False)


def test_small_totals_are_hidden_and_protected() -> None:
    counts = [[1, 2], [10, 20], [15, 25]]
    t = table(counts)
    assert t.row_totals[0].display(5) == "<5"
    assert t.cells[0][0].display(5) == t.cells[0][1].display(5) == "<5"
    # Row 0's total could otherwise be recovered as grand total minus the other row totals.
    assert sum(c.suppressed for c in t.row_totals) >= 2
    check_table(t, counts, suppress_zeros=False)


def test_a_small_grand_total_is_hidden() -> None:
    counts = [[1, 0], [0, 2]]
    t = table(counts)
    assert t.grand_total.display(5) == "<5"
    assert all(c.display(5) == "<5" for c in [*t.row_totals, *t.column_totals])
    check_table(t, counts, suppress_zeros=False)


def test_zeros_are_shown_by_default() -> None:
    counts = [[0, 0, 12], [8, 0, 15], [20, 7, 11]]
    t = table(counts)
    assert shown(t) == [["0", "0", "12"], ["8", "0", "15"], ["20", "7", "11"]]
    assert not t.any_suppressed
    assert t.legend() == []


def test_zeros_can_be_suppressed() -> None:
    counts = [[0, 9, 12], [8, 6, 15], [20, 7, 11]]
    t = table(counts, suppress_zeros=True)
    assert t.cells[0][0].display(5) == "<5"
    assert sum(c.suppressed for c in t.cells[0]) >= 2
    assert sum(row[0].suppressed for row in t.cells) >= 2
    check_table(t, counts, suppress_zeros=True)


def test_a_table_of_large_counts_is_unchanged() -> None:
    counts = [[5, 10, 12], [8, 9, 15], [20, 7, 11]]
    t = table(counts)
    assert shown(t) == [[str(v) for v in row] for row in counts]
    assert not t.any_suppressed
    assert [c.display(5) for c in t.row_totals] == ["27", "32", "38"]


def test_threshold_is_configurable() -> None:
    counts = [[3, 10, 12], [8, 9, 15], [20, 7, 11]]
    assert not table(counts, k=3).any_suppressed
    t = table(counts, k=11)
    assert t.cells[0][0].display(11) == t.cells[1][0].display(11) == "<11"
    assert t.cells[0][1].display(11) == "<11"  # 10 < 11
    check_table(t, counts, suppress_zeros=False)
    check_table(table(counts, k=3), counts, suppress_zeros=False)


def test_display_strings() -> None:
    assert Cell(12, suppressed=False).display(5) == "12"
    assert Cell(0, suppressed=False).display(5) == "0"
    assert Cell(3, suppressed=True).display(5) == "<5"
    assert Cell(3, suppressed=True).display(11) == "<11"
    assert Cell(9, suppressed=True, reason=Reason.COMPLEMENTARY).display(5) == "*"
    assert Cell(1, suppressed=True, reason=Reason.WITHHELD).display(5) == "[c]"
    assert Cell(3, suppressed=True).reason is Reason.SMALL
    with pytest.raises(ValueError, match="shown cell"):
        Cell(3, suppressed=False, reason=Reason.SMALL)


def test_repr_does_not_leak_a_hidden_count() -> None:
    assert "3" not in repr(Cell(3, suppressed=True))
    assert "13" not in repr(Cell(13, suppressed=True, reason=Reason.COMPLEMENTARY))
    assert repr(Cell(12, suppressed=False)) == "Cell(12)"
    t = table([[3, 10], [8, 9]])
    assert "3" not in repr(t.cells)


def test_withheld_when_no_complement_can_protect() -> None:
    # With k=3, "<3" for both cells and their total would pin both at 1: something must be
    # published with a range that does not give it away.
    t = table([[1, 1]], k=3)
    assert any(c.reason is Reason.WITHHELD for c in t.all_cells())
    assert any(line.startswith("[c]") for line in t.legend())
    check_table(t, [[1, 1]], suppress_zeros=False)


def test_legend_lists_only_the_marks_used() -> None:
    t = table([[3, 10, 12], [8, 9, 15], [20, 7, 11]])
    assert [line[:2] for line in t.legend()] == ["<5", "*:"]
    assert "5 or more" in t.legend()[1]


def test_series_hides_small_weeks_and_protects_them() -> None:
    counts = [12, 3, 0, 8, 20]
    s = suppress_series(counts, labels=["w1", "w2", "w3", "w4", "w5"])
    assert s.display_values() == ["12", "<5", "0", "*", "20"]
    assert s.total.display(5) == "43"
    check_series(s, counts, suppress_zeros=False)


def test_series_with_a_small_total() -> None:
    counts = [1, 0, 2]
    s = suppress_series(counts, labels=["a", "b", "c"])
    assert s.display_values() == ["<5", "0", "<5"]
    assert s.total.display(5) == "<5"
    check_series(s, counts, suppress_zeros=False)


def test_series_of_large_counts_is_unchanged() -> None:
    s = suppress_series([5, 6, 7], labels=["a", "b", "c"], k=5)
    assert s.display_values() == ["5", "6", "7"]
    assert not s.any_suppressed


@pytest.mark.parametrize(
    ("counts", "labels", "options", "error"),
    [
        ([[1, 2], [3]], (2, 2), {}, ValueError),
        ([[1, 2]], (2, 2), {}, ValueError),
        ([[1, -2]], (1, 2), {}, ValueError),
        ([[1, 2.0]], (1, 2), {}, TypeError),
        ([[True, 2]], (1, 2), {}, TypeError),
        ([[1, 2]], (1, 2), {"k": 2}, ValueError),
        ([[1, 2]], (1, 2), {"k": 1, "suppress_zeros": True}, ValueError),
    ],
)
def test_bad_input_is_refused(
    counts: list[list[int]],
    labels: tuple[int, int],
    options: dict[str, Any],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        suppress_table(
            counts,
            row_labels=[str(i) for i in range(labels[0])],
            column_labels=[str(j) for j in range(labels[1])],
            **options,
        )


@pytest.mark.parametrize("suppress_zeros", [False, True])
def test_empty_tables_and_series_publish_their_zero_totals(suppress_zeros: bool) -> None:
    t = suppress_table([], row_labels=[], column_labels=["a", "b"], suppress_zeros=suppress_zeros)
    assert [c.display(5) for c in t.all_cells()] == ["0", "0", "0"]
    t = suppress_table([[], []], row_labels=["a", "b"], column_labels=[], suppress_zeros=True)
    assert [c.display(5) for c in t.all_cells()] == ["0", "0", "0"]
    s = suppress_series([], labels=[], suppress_zeros=suppress_zeros)
    assert s.total.display(5) == "0"
    assert s.cells == ()


def test_series_refuses_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="labels"):
        suppress_series([1, 2], labels=["a"])


def test_a_large_table_is_fast_enough_for_a_page() -> None:
    import random
    import time

    rng = random.Random(7)
    counts = [
        [rng.choice([0, 0, 1, 2, 3, 4, 6, 8, 12, 25, 40]) for _ in range(12)] for _ in range(40)
    ]
    start = time.perf_counter()
    t = table(counts)
    assert time.perf_counter() - start < 2.0
    assert all(
        t.cells[i][j].suppressed for i in range(40) for j in range(12) if 0 < counts[i][j] < 5
    )


# --------------------------------------------------------------------------------------------
# Properties.

small_tables = st.integers(1, 4).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.integers(0, 12), min_size=n_cols, max_size=n_cols), min_size=1, max_size=4
    )
)


@settings(max_examples=300, deadline=None)
@given(counts=small_tables, k=st.sampled_from([3, 5]), suppress_zeros=st.booleans())
def test_no_hidden_count_can_be_recovered(
    counts: list[list[int]], k: int, suppress_zeros: bool
) -> None:
    check_table(table(counts, k=k, suppress_zeros=suppress_zeros), counts, suppress_zeros)


@settings(max_examples=150, deadline=None)
@given(
    counts=st.lists(st.integers(0, 12), min_size=1, max_size=8),
    k=st.sampled_from([3, 5]),
    suppress_zeros=st.booleans(),
)
def test_no_hidden_count_in_a_series_can_be_recovered(
    counts: list[int], k: int, suppress_zeros: bool
) -> None:
    s = suppress_series(
        counts, labels=[str(i) for i in range(len(counts))], k=k, suppress_zeros=suppress_zeros
    )
    check_series(s, counts, suppress_zeros)
