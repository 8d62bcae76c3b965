"""What the coalition scope publishes: one finished quarter, every partner, three linked tables.

The set of questions a reader may ask is fixed (issue 18): a quarter, and nothing else. No
date range, program or partner filter applies, so two allowed questions are either the same
question, answered identically (``coalition_counts.py``), or two quarters, which share no
referral; nothing can be subtracted from anything to isolate a small group.

Within one quarter the three tables describe the same referrals, and a reader can combine them:
a partner's decline reasons add up to its "rejected" cell, and the outcomes of the completed
and of the failed referrals add up to those two columns' totals. Suppressed one table at a
time, these links gave hidden counts away (a rejected count the status table shows is the row
total the reasons table hid). So the three are suppressed together, as one network in which
each count published twice is one edge. Outcomes are published by closing status rather than
by partner: partner x outcome tied to partner x status is a three-way table, which is no
network, and the suppression's guarantee holds only for networks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from referrals.dashboard.coalition_counts import (
    CLOSING_STATUSES,
    COALITION_STATUSES,
    CoalitionCounts,
    coalition_counts,
)
from referrals.dashboard.periods import Quarter, latest_published
from referrals.dashboard.suppression import (
    COMPLEMENTARY_MARK,
    WITHHELD_MARK,
    Network,
    Reason,
    SuppressedTable,
)
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus

# Query parameters of the organization's own dashboard that the coalition scope refuses.
FREE_FILTERS = ("from", "to", "program", "partner")


@dataclass(frozen=True)
class PeriodChoice:
    quarter: Quarter
    problems: tuple[str, ...]  # why the request could not be answered as asked


def choose_period(args: MultiDict[str, str], now: datetime) -> PeriodChoice:
    """The quarter asked for (the latest published one by default), and what was refused."""
    problems = []
    if any(value for name in FREE_FILTERS for value in args.getlist(name)):
        problems.append(
            _(
                "Coalition figures cover whole quarters and every partner: a date range, "
                "program or partner cannot be chosen here."
            )
        )
    quarter = latest_published(now)
    asked = args.getlist("period")
    if asked:
        wanted = Quarter.parse(asked[0]) if len(asked) == 1 else None
        if wanted is None:
            problems.append(_("Choose one quarter from the list."))
        elif not wanted.is_published(now):
            problems.append(
                _(
                    "%(quarter)s is not published: coalition figures cover finished quarters only.",
                    quarter=wanted.label,
                )
            )
        else:
            quarter = wanted
    return PeriodChoice(quarter, tuple(problems))


def publish(quarter: Quarter, k: int) -> dict[str, SuppressedTable]:
    """The quarter's three tables, suppressed together."""
    return suppress_linked(coalition_counts(quarter), k)


def suppress_linked(counts: CoalitionCounts, k: int) -> dict[str, SuppressedTable]:
    """Status, decline reason and outcome tables as one network (see the module docstring).

    Flow: source -> partner -> status column -> sink -> source, where a partner's rejected
    cell runs through that partner's reason cells to the reason columns and on into the
    rejected column, and the completed and failed column totals run through the outcome cells.
    """
    n, statuses = len(counts.partners), COALITION_STATUSES
    reasons, outcomes = list(DeclineReason), list(OutcomeCode)
    _check(counts)
    node = itertools.count()
    source, sink = next(node), next(node)
    partner = [next(node) for _ in range(n)]
    column = {status: next(node) for status in statuses}
    rejected_of = [next(node) for _ in range(n)]  # one partner's rejected referrals
    reason_column = [next(node) for _ in reasons]
    closed_as = {status: next(node) for status in CLOSING_STATUSES}
    outcome_column = [next(node) for _ in outcomes]
    all_outcomes = next(node)
    net = Network(next(node), k, suppress_zeros=False)
    add = net.add
    rejected = statuses.index(ReferralStatus.REJECTED)

    cells = [
        [
            add(partner[i], rejected_of[i] if j == rejected else column[s], counts.by_status[i][j])
            for j, s in enumerate(statuses)
        ]
        for i in range(n)
    ]
    row_totals = [add(source, partner[i], sum(counts.by_status[i])) for i in range(n)]
    reason_cells = [
        [add(rejected_of[i], reason_column[r], counts.declines[i][r]) for r in range(len(reasons))]
        for i in range(n)
    ]
    reason_totals = [
        add(reason_column[r], column[ReferralStatus.REJECTED], _column_sum(counts.declines, r))
        for r in range(len(reasons))
    ]
    column_totals = [
        add(column[s], closed_as.get(s, sink), _column_sum(counts.by_status, j))
        for j, s in enumerate(statuses)
    ]
    outcome_cells = [
        [add(closed_as[s], outcome_column[o], counts.outcomes[c][o]) for o in range(len(outcomes))]
        for c, s in enumerate(CLOSING_STATUSES)
    ]
    outcome_totals = [
        add(outcome_column[o], all_outcomes, _column_sum(counts.outcomes, o))
        for o in range(len(outcomes))
    ]
    outcome_grand = add(all_outcomes, sink, sum(map(sum, counts.outcomes)))
    grand = add(sink, source, sum(map(sum, counts.by_status)))
    net.protect()

    closing_totals = [column_totals[statuses.index(s)] for s in CLOSING_STATUSES]
    return {
        "status": _table(
            net,
            (counts.partners, [s.value for s in statuses]),
            cells,
            (row_totals, column_totals, grand),
        ),
        "decline_reason": _table(
            net,
            (counts.partners, [r.value for r in reasons]),
            reason_cells,
            ([row[rejected] for row in cells], reason_totals, column_totals[rejected]),
        ),
        "outcome": _table(
            net,
            ([s.value for s in CLOSING_STATUSES], [o.value for o in outcomes]),
            outcome_cells,
            (closing_totals, outcome_totals, outcome_grand),
        ),
    }


def _table(
    net: Network,
    labels: tuple[list[str], list[str]],
    cells: list[list[int]],
    totals: tuple[list[int], list[int], int],
) -> SuppressedTable:
    """One table of the network: its labels, cell edges and (rows, columns, grand) totals."""
    rows, columns, grand = totals
    return SuppressedTable(
        row_labels=tuple(labels[0]),
        column_labels=tuple(labels[1]),
        cells=tuple(tuple(net.cell(edge) for edge in row) for row in cells),
        row_totals=tuple(net.cell(edge) for edge in rows),
        column_totals=tuple(net.cell(edge) for edge in columns),
        grand_total=net.cell(grand),
        k=net.k,
    )


def _column_sum(rows: list[list[int]], j: int) -> int:
    return sum(row[j] for row in rows)


def _check(counts: CoalitionCounts) -> None:
    """The links the network assumes (a count that broke one would be published unprotected)."""
    rejected = COALITION_STATUSES.index(ReferralStatus.REJECTED)
    for row, reasons in zip(counts.by_status, counts.declines, strict=True):
        if row[rejected] != sum(reasons):
            raise ValueError("decline reasons do not add up to the rejected count")
    for status, outcomes in zip(CLOSING_STATUSES, counts.outcomes, strict=True):
        if _column_sum(counts.by_status, COALITION_STATUSES.index(status)) != sum(outcomes):
            raise ValueError(f"outcomes do not add up to the {status.value} count")


def legend(table: SuppressedTable) -> list[str]:
    """Footnotes for the marks the table uses, in the reader's language."""
    k = table.k
    texts = {
        Reason.SMALL: _("<%(k)d: fewer than %(k)d; counts this small are not published.", k=k),
        Reason.COMPLEMENTARY: _(
            "%(mark)s: %(k)d or more, withheld so that a smaller count cannot be worked out "
            "from the other figures.",
            mark=COMPLEMENTARY_MARK,
            k=k,
        ),
        Reason.WITHHELD: _(
            "%(mark)s: withheld so that a smaller count cannot be worked out from the other "
            "figures.",
            mark=WITHHELD_MARK,
        ),
    }
    used = {cell.reason for cell in table.all_cells()}
    return [text for reason, text in texts.items() if reason in used]
