"""Small-cell suppression for coalition-wide aggregates (pure Python, no database).

What is published
-----------------
A two-way table of counts (e.g. referrals by partner organization x status) is published with
its row totals, its column totals and its grand total; a one-way series (e.g. a weekly trend) is
published with its total. Each published number, cell or total, is one of:

* its true value: ``"12"``, ``"0"``;
* ``"<K"``, a *small* count: from 1 to K-1 (from 0 to K-1 when ``suppress_zeros=True``). K is 5
  by default; the app reads it from ``SUPPRESSION_THRESHOLD`` and passes it in as ``k``;
* ``"*"``, a *complementary* suppression: a count hidden only so that a small count elsewhere
  cannot be worked out. It is always K or more (it is chosen among shown non-zero counts, and
  every non-zero count below K is already ``"<K"``); the legend says so, since anyone who knows
  this rule can tell anyway. Showing ``"<K"`` on it would be false;
* ``"[c]"``, *withheld* (the ONS "confidential" mark): any value. Used only when no choice of
  ``"*"`` can protect a small count, which happens in small tables where the ranges of ``"<K"``
  and ``"*"`` themselves give the count away (``[[1, 1]]`` with K=3: both cells and the total are
  ``"<3"``, and two counts of at least 1 with a total of at most 2 are both 1).

Zeros are shown by default: a zero is not a small cell (it describes nobody), and hiding zeros
would hide where services reach no one. ``suppress_zeros=True`` treats 0 like 1..K-1, for
publications where an empty cell is itself sensitive.

Why secondary suppression
-------------------------
Hiding only the small counts is not enough: with the row total shown, a single hidden cell in a
row is the total minus the shown cells. Hiding a second cell in that row is the textbook fix but
is not always sufficient (two hidden cells in a row, each the only hidden cell of its column, are
both recovered from the column totals); small totals must be hidden too, and they in turn must
not be recoverable from the grand total and the other totals.

The rule
--------
The table with its totals is a flow network: a source feeds each row (edge = row total), each row
feeds each column (edge = cell), each column feeds a sink (edge = column total) and the sink
feeds the source back (edge = grand total). Any table with its true totals is a circulation on
it, and a reader knows exactly this: a shown edge is fixed, a ``"<K"`` edge lies in [1, K-1] (or
[0, K-1]), a ``"*"`` edge in [K, inf), a ``"[c]"`` edge in [0, inf). Network constraint matrices
are totally unimodular, so the integer values a hidden count can take over all tables consistent
with the publication form an interval around its true value, and it has more than one point
exactly when the count lies on a cycle round which one unit can be pushed without leaving any
edge's range (a cycle in the residual graph; shown edges cannot move). The algorithm:

1. Hide every count from 1 to K-1 (and 0 with ``suppress_zeros``), cells and totals alike.
2. Take the hidden counts in order (cells row by row, row totals, column totals, grand total).
   For one that lies on no residual cycle, find by Dijkstra's algorithm the cheapest cycle
   through it that may also run through counts yet to be hidden, and hide those. Cost, compared
   in order: the number of ``"[c]"`` needed (a shown count of K or more can become ``"*"``; a
   shown zero, or a ``"<K"``/``"*"`` that would have to move outside its range, can only become
   ``"[c]"``), then the sum of the counts newly hidden, then how many; remaining ties are broken
   by a fixed order, so the same table always gets the same suppression.
3. Every count on that cycle is now protected, and stays protected as more is hidden (hiding
   only widens what a reader must consider), so one pass suffices.

This is the network-flow formulation of complementary cell suppression (Cox, "Network models for
complementary cell suppression", JASA 1995), restricted to what this dashboard needs. Its
guarantee: **no hidden count is determined** by what is published. Every hidden count has at
least two possible values among the non-negative integer tables consistent with the shown
numbers and the ranges above (``tests/test_suppression.py`` checks this on random tables with a
separate exhaustive search). What it does not do: it does not promise a *wide* range (a hidden 1
may be known to be 1 or 2); it is a heuristic, so it may hide more than the fewest possible
counts; it does not defend against a reader who combines several publications over overlapping
data (the same counts under two filters, or this week's and last week's cumulative tables), nor
against one who reasons about which complementary counts the rule would have picked. Publish one
consistent set of cuts: the coalition scope publishes disjoint finished quarters only
(``periods.py``), and suppresses its linked tables as one :class:`Network` (``coalition.py``).

The practice follows common statistical disclosure control: the HHS/CMS cell-size suppression
policy (no count from 1 to 10 published, nor figures from which such a count can be derived)
uses a threshold of 11; many public-health agencies and national statistical offices, such as
the UK ONS, publish with thresholds around 5 and secondary suppression. Which threshold a
coalition's data agreements require is policy, set in the app config, not here.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "COMPLEMENTARY_MARK",
    "LEGEND",
    "WITHHELD_MARK",
    "Cell",
    "Network",
    "Reason",
    "SuppressedSeries",
    "SuppressedTable",
    "suppress_series",
    "suppress_table",
]

#: What a complementary suppression shows instead of its count (the count is ``k`` or more).
COMPLEMENTARY_MARK: Final = "*"
#: What a withheld count shows (any value; the ONS-style "[c]", confidential).
WITHHELD_MARK: Final = "[c]"


class Reason(enum.Enum):
    """Why a published count is hidden; each reason tells a reader a different range."""

    #: A count from 1 to k-1 (0 to k-1 with ``suppress_zeros``): shown as ``"<k"``.
    SMALL = "small"
    #: Hidden to protect a small count; it is ``k`` or more: shown as ``"*"``.
    COMPLEMENTARY = "complementary"
    #: Hidden to protect a small count when no ``"*"`` would do; any value: shown as ``"[c]"``.
    WITHHELD = "withheld"


#: Footnote text per reason; ``{k}`` is the threshold.
LEGEND: Final[dict[Reason, str]] = {
    Reason.SMALL: "<{k}: fewer than {k}; counts this small are not published.",
    Reason.COMPLEMENTARY: (
        COMPLEMENTARY_MARK + ": {k} or more, withheld so that a smaller count cannot be worked"
        " out from the totals."
    ),
    Reason.WITHHELD: (
        WITHHELD_MARK + ": withheld so that a smaller count cannot be worked out from the totals."
    ),
}


@dataclass(frozen=True, repr=False)
class Cell:
    """One published count.

    ``value`` is the true count, for server-side use only: render a cell with :meth:`display`,
    never with ``value``. The repr hides the value of a suppressed cell so it cannot leak into a
    log or an error page.
    """

    value: int
    suppressed: bool
    #: Why it is hidden (``None`` when shown; a suppressed cell defaults to ``Reason.SMALL``).
    reason: Reason | None = None

    def __post_init__(self) -> None:
        if not self.suppressed and self.reason is not None:
            raise ValueError("a shown cell has no suppression reason")
        if self.suppressed and self.reason is None:
            object.__setattr__(self, "reason", Reason.SMALL)

    def display(self, k: int) -> str:
        """``"12"``, ``"0"``, ``"<5"`` (small), ``"*"`` (complementary) or ``"[c]"`` (withheld)."""
        if not self.suppressed:
            return str(self.value)
        if self.reason is Reason.COMPLEMENTARY:
            return COMPLEMENTARY_MARK
        if self.reason is Reason.WITHHELD:
            return WITHHELD_MARK
        return f"<{k}"

    def __repr__(self) -> str:
        if self.reason is not None:
            return f"Cell(suppressed, {self.reason.value})"
        return f"Cell({self.value})"


def _legend(cells: Sequence[Cell], k: int) -> list[str]:
    used = {cell.reason for cell in cells}
    return [LEGEND[reason].format(k=k) for reason in Reason if reason in used]


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table ready to publish: cells, row and column totals, grand total."""

    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]
    grand_total: Cell
    k: int

    def all_cells(self) -> list[Cell]:
        """Every published count: the cells row by row, row totals, column totals, grand total."""
        every = [cell for row in self.cells for cell in row]
        return [*every, *self.row_totals, *self.column_totals, self.grand_total]

    def display_rows(self) -> list[list[str]]:
        """The cells as display strings, row by row (without the totals)."""
        return [[cell.display(self.k) for cell in row] for row in self.cells]

    @property
    def any_suppressed(self) -> bool:
        return any(cell.suppressed for cell in self.all_cells())

    def legend(self) -> list[str]:
        """Footnotes for the markers this table uses (empty when nothing is hidden)."""
        return _legend(self.all_cells(), self.k)


@dataclass(frozen=True)
class SuppressedSeries:
    """A one-way list of counts ready to publish, with its total."""

    labels: tuple[str, ...]
    cells: tuple[Cell, ...]
    total: Cell
    k: int

    def display_values(self) -> list[str]:
        return [cell.display(self.k) for cell in self.cells]

    @property
    def any_suppressed(self) -> bool:
        return self.total.suppressed or any(cell.suppressed for cell in self.cells)

    def legend(self) -> list[str]:
        """Footnotes for the markers this series uses (empty when nothing is hidden)."""
        return _legend([*self.cells, self.total], self.k)


# --------------------------------------------------------------------------------------------
# The engine: a circulation whose edges are the published counts.

_SHOWN, _SMALL, _COMPLEMENTARY, _WITHHELD = 0, 1, 2, 3
_REASONS: Final = {
    _SMALL: Reason.SMALL,
    _COMPLEMENTARY: Reason.COMPLEMENTARY,
    _WITHHELD: Reason.WITHHELD,
}

# A path's cost: (counts withheld, sum of the counts newly hidden, number newly hidden), compared
# lexicographically, so "[c]" is used only when no cycle of "*" exists.
_Cost = tuple[int, int, int]
_FREE: Final[_Cost] = (0, 0, 0)
# An arc of the search graph: (next node, edge, cost, status the edge must take, or None).
_Arc = tuple[int, int, _Cost, int | None]


class Network:
    """Published counts as the edges of a circulation, with the suppression state of each.

    :func:`suppress_table` and :func:`suppress_series` build one for a single table. Tables
    that share counts (a breakdown of one column of another) must be suppressed together, as
    one network in which each shared count is one edge (``referrals/dashboard/coalition.py``):
    ``add`` every count with the nodes it flows between (the values must conserve flow at
    every node), ``protect``, then publish each edge's ``cell``.
    """

    def __init__(self, n_nodes: int, k: int, *, suppress_zeros: bool) -> None:
        self.n_nodes = n_nodes
        self.k = k
        self.low = 0 if suppress_zeros else 1  # lowest value a "<K" count can have
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.values: list[int] = []
        self.status: list[int] = []
        self._arc_cache: dict[bool, list[list[_Arc]]] = {}

    def add(self, tail: int, head: int, value: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.values.append(value)
        self.status.append(_SMALL if self.low <= value < self.k else _SHOWN)
        return len(self.values) - 1

    # What a reader knows of an edge, by its status: shown = its value; "<K" = [low, k-1];
    # "*" = [k, inf); "[c]" = [0, inf). An edge can move up (down) by one when that stays inside.

    def _can_increase(self, edge: int, status: int) -> bool:
        if status == _SMALL:
            return self.values[edge] < self.k - 1
        return status != _SHOWN

    def _can_decrease(self, edge: int, status: int) -> bool:
        value = self.values[edge]
        if status == _SMALL:
            return value > self.low
        if status == _COMPLEMENTARY:
            return value > self.k
        return status == _WITHHELD and value > 0

    def _options(self, edge: int, up: bool) -> tuple[_Cost, int | None] | None:
        """The cheapest way to let ``edge`` move up (down) by one: its cost and new status."""
        status, value = self.status[edge], self.values[edge]
        move = self._can_increase if up else self._can_decrease
        if status != _SHOWN and move(edge, status):
            return _FREE, None
        # Only shown counts of k or more become "*" (a "*" that might be 0 or small would not be
        # an interval); anything else becomes "[c]".
        if status == _SHOWN and value >= self.k and move(edge, _COMPLEMENTARY):
            return (0, value, 1), _COMPLEMENTARY
        if status != _WITHHELD and move(edge, _WITHHELD):
            return (1, value, 1), _WITHHELD
        return None

    def _arcs(self, *, free_only: bool) -> list[list[_Arc]]:
        """Adjacency lists of the residual graph (``free_only``) or of the search graph."""
        cached = self._arc_cache.get(free_only)
        if cached is not None:
            return cached
        arcs: list[list[_Arc]] = [[] for _ in range(self.n_nodes)]
        for edge in range(len(self.values)):
            for up in (True, False):
                option = self._options(edge, up)
                if option is None or (free_only and option[1] is not None):
                    continue
                tail, head = self.tails[edge], self.heads[edge]
                start, end = (tail, head) if up else (head, tail)
                arcs[start].append((end, edge, option[0], option[1]))
        self._arc_cache[free_only] = arcs
        return arcs

    @staticmethod
    def _cheapest_path(
        arcs: list[list[_Arc]], start: int, goal: int, exclude: int
    ) -> tuple[_Cost, list[tuple[int, int | None]]] | None:
        """Dijkstra from start to goal avoiding one edge: the cost and (edge, new status) steps."""
        best: dict[int, _Cost] = {start: _FREE}
        via: dict[int, tuple[int, int, int | None]] = {}  # node -> (previous node, edge, status)
        heap: list[tuple[_Cost, int]] = [(_FREE, start)]
        done: set[int] = set()
        while heap:
            cost, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == goal:
                steps: list[tuple[int, int | None]] = []
                while node != start:
                    node, edge, status = via[node]
                    steps.append((edge, status))
                return cost, steps[::-1]
            for nxt, edge, step, status in arcs[node]:
                if nxt in done or edge == exclude:
                    continue
                total = (cost[0] + step[0], cost[1] + step[1], cost[2] + step[2])
                if nxt not in best or total < best[nxt]:
                    best[nxt] = total
                    via[nxt] = (node, edge, status)
                    heapq.heappush(heap, (total, nxt))
        return None

    def _cycle_through(self, edge: int, *, free_only: bool) -> list[tuple[int, int | None]] | None:
        """The cheapest cycle through a hidden edge, as the other edges' steps (see above)."""
        arcs = self._arcs(free_only=free_only)
        tail, head, status = self.tails[edge], self.heads[edge], self.status[edge]
        found: list[tuple[_Cost, list[tuple[int, int | None]]]] = []
        if self._can_increase(edge, status):  # up along the edge, back round the cycle
            path = self._cheapest_path(arcs, head, tail, edge)
            if path is not None:
                found.append(path)
        if self._can_decrease(edge, status):
            path = self._cheapest_path(arcs, tail, head, edge)
            if path is not None:
                found.append(path)
        return min(found, key=lambda option: option[0])[1] if found else None

    def protect(self) -> None:
        """Hide more counts until no hidden count is determined by what is published."""
        protected: set[int] = set()
        for edge in range(len(self.values)):
            # Edges hidden during the loop are protected by the cycle that hid them; edges found
            # protected stay so, because hiding more only widens what a reader must consider.
            if self.status[edge] == _SHOWN or edge in protected:
                continue
            cycle = self._cycle_through(edge, free_only=True)
            if cycle is None:
                cycle = self._cycle_through(edge, free_only=False)
                if cycle is None:  # pragma: no cover - "[c]" always closes a cycle
                    raise RuntimeError("no cycle of withholdable counts")
                for other, status in cycle:
                    if status is not None:
                        self.status[other] = status
                self._arc_cache.clear()
            # Pushing one unit round the cycle moves every count on it: all are protected.
            protected.add(edge)
            protected.update(other for other, _status in cycle)

    def cell(self, edge: int) -> Cell:
        status = self.status[edge]
        if status == _SHOWN:
            return Cell(self.values[edge], suppressed=False)
        return Cell(self.values[edge], suppressed=True, reason=_REASONS[status])


def _check_k(k: int, *, suppress_zeros: bool) -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError("k must be an integer")
    # "<K" must leave at least two possible values, or it shows the count anyway.
    smallest = 2 if suppress_zeros else 3
    if k < smallest:
        raise ValueError(
            f"k must be at least {smallest} (with k={k}, '<{k}' would reveal the count)"
        )


def _check_count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"counts must be integers, not {type(value).__name__}")
    if value < 0:
        raise ValueError("counts cannot be negative")
    return value


def suppress_table(
    counts: Sequence[Sequence[int]],
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    k: int = 5,
    suppress_zeros: bool = False,
) -> SuppressedTable:
    """Suppress small counts of a two-way table and its totals, with complementary suppression.

    ``counts[i][j]`` is the count for ``row_labels[i]`` x ``column_labels[j]``. Row totals, column
    totals and the grand total are computed here (so they always add up) and published too.
    """
    _check_k(k, suppress_zeros=suppress_zeros)
    rows = [[_check_count(v) for v in row] for row in counts]
    n_rows, n_cols = len(row_labels), len(column_labels)
    if len(rows) != n_rows:
        raise ValueError(f"{len(rows)} rows of counts for {n_rows} row labels")
    for i, row in enumerate(rows):
        if len(row) != n_cols:
            raise ValueError(f"row {i} has {len(row)} counts for {n_cols} column labels")

    # Nodes: 0 = source, 1 = sink, 2.. = rows, then columns.
    source, sink = 0, 1

    def row_node(i: int) -> int:
        return 2 + i

    def col_node(j: int) -> int:
        return 2 + n_rows + j

    # A table with no rows or no columns has totals that are zero by its shape alone: nothing to
    # protect, so they are shown even with suppress_zeros.
    empty = n_rows == 0 or n_cols == 0
    net = Network(2 + n_rows + n_cols, k, suppress_zeros=suppress_zeros and not empty)
    cell_edges = [
        [net.add(row_node(i), col_node(j), rows[i][j]) for j in range(n_cols)]
        for i in range(n_rows)
    ]
    row_edges = [net.add(source, row_node(i), sum(rows[i])) for i in range(n_rows)]
    col_edges = [
        net.add(col_node(j), sink, sum(rows[i][j] for i in range(n_rows))) for j in range(n_cols)
    ]
    grand_edge = net.add(sink, source, sum(map(sum, rows)))
    net.protect()

    return SuppressedTable(
        row_labels=tuple(row_labels),
        column_labels=tuple(column_labels),
        cells=tuple(tuple(net.cell(e) for e in row) for row in cell_edges),
        row_totals=tuple(net.cell(e) for e in row_edges),
        column_totals=tuple(net.cell(e) for e in col_edges),
        grand_total=net.cell(grand_edge),
        k=k,
    )


def suppress_series(
    counts: Sequence[int],
    *,
    labels: Sequence[str],
    k: int = 5,
    suppress_zeros: bool = False,
) -> SuppressedSeries:
    """Suppress small counts of a one-way list (e.g. a weekly trend) and its total.

    The same rules as :func:`suppress_table`: the list and its total are a circulation on two
    nodes (each count one way, the total back), so a hidden count is protected when another
    hidden count or the hidden total can absorb a change of one.
    """
    _check_k(k, suppress_zeros=suppress_zeros)
    values = [_check_count(v) for v in counts]
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} counts for {len(labels)} labels")
    # An empty series has a total of zero by its shape alone: shown, as for an empty table.
    net = Network(2, k, suppress_zeros=suppress_zeros and bool(values))
    edges = [net.add(0, 1, v) for v in values]
    total_edge = net.add(1, 0, sum(values))
    net.protect()
    return SuppressedSeries(
        labels=tuple(labels),
        cells=tuple(net.cell(e) for e in edges),
        total=net.cell(total_edge),
        k=k,
    )
