"""Dashboard figures for one viewer, scoped in SQL; a fixed number of statements per page.

Every figure is computed inside ``scope_for(user)``: the same visibility rules as the lists
(access.py's ``received_referrals`` / ``sent_referrals``), so a partner never counts another
organization's referrals, drafts, or referrals no consent covers any more.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only

from referrals.access import (
    received_referrals,
    received_rollups,
    sent_referrals,
    sent_rollups,
)
from referrals.auth.models import User
from referrals.enums import DeclineReason, OutcomeCode, ProgramStatus, ReferralStatus, Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.localtime import day_end, day_start
from referrals.programs.models import Organization, Program
from referrals.rollups.periods import covering, day_number
from referrals.rollups.tables import ALL_PROGRAMS, duration_rollups, status_rollups, week_rollups

TREND_WEEKS = 12
ROLLUP_ROLES = (Role.SUPERVISOR, Role.PARTNER, Role.CASEWORKER)
OVERDUE_LIMIT = 50


@dataclass(frozen=True)
class Filters:
    """What the viewer narrowed the figures to: sent_at in [start, end], a program, a partner."""

    start: date
    end: date  # inclusive
    program_id: int | None = None
    partner_id: int | None = None

    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """Date range on sent_at (so drafts never count), program and partner."""
        conditions = [
            # Whole days of the coalition's calendar, not UTC's.
            Referral.sent_at >= day_start(self.start),
            Referral.sent_at < day_end(self.end),
            *self.subject_conditions(),
        ]
        return conditions

    def subject_conditions(self) -> list[sa.ColumnElement[bool]]:
        """Program and partner only (the weekly trend has its own window)."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.program_id is not None:
            conditions.append(Referral.program_id == self.program_id)
        if self.partner_id is not None:
            conditions.append(Referral.receiving_organization_id == self.partner_id)
        return conditions

    def rows(self, sides: Scope, rollup: sa.Table) -> sa.ColumnElement[bool]:
        """The viewer's rows of the stored periods (rollups.periods) that make up [start, end].

        Written as one OR arm per side and span, each an organization, a span and a list of
        starts, so that PostgreSQL reads each arm from the side's index and nothing else.
        """
        spans: dict[int, list[int]] = defaultdict(list)
        for span, start in covering(day_number(self.start), day_number(self.end)):
            spans[span].append(start)
        return sa.or_(
            sa.false(),
            *(
                sa.and_(side, rollup.c.span == span, rollup.c.period_start.in_(starts))
                for side in (sides.sent, sides.received)
                for span, starts in spans.items()
            ),
        )

    def rollup_conditions(
        self, rollup: sa.Table, *, program: bool = True
    ) -> list[sa.ColumnElement[bool]]:
        """Program (unless ``program`` is false) and partner, on a rollup table's columns."""
        conditions: list[sa.ColumnElement[bool]] = []
        if program and self.program_id is not None:
            conditions.append(rollup.c.program_id == self.program_id)
        if self.partner_id is not None:
            conditions.append(rollup.c.receiving_organization_id == self.partner_id)
        return conditions

    def codes(self) -> dict[str, Any]:
        """The filters as codes and ids (for the audit trail and links)."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "program": self.program_id,
            "partner": self.partner_id,
        }


@dataclass(frozen=True)
class Scope:
    """The viewer's sides: what counts as sent by them and what as received."""

    sent: sa.ColumnElement[bool]
    received: sa.ColumnElement[bool]
    # The same sides on a rollup table's rows (the figures); None for no rows at all.
    viewer: User | None = None
    moment: datetime | None = None

    @property
    def either(self) -> sa.ColumnElement[bool]:
        return sa.or_(self.sent, self.received)

    def on(self, rollup: sa.Table) -> Scope:
        """The viewer's sides on a rollup table (access.py's rules for rollups)."""
        user, moment = self.viewer, self.moment
        if user is None or moment is None or user.role not in ROLLUP_ROLES:
            return Scope(sent=sa.false(), received=sa.false())
        sent = sent_rollups(user, rollup)
        if user.role == Role.CASEWORKER:
            return Scope(sent=sa.and_(sent, rollup.c.sent_by_id == user.id), received=sa.false())
        received = received_rollups(user, rollup, moment)
        return Scope(sent=sent if user.role == Role.SUPERVISOR else sa.false(), received=received)


def scope_for(user: User, now: datetime) -> Scope:
    """Supervisors: their organization's sent and received; partners: received; caseworkers:
    the referrals they sent themselves. Admins see nothing (the view answers 403 before)."""
    if user.role == Role.SUPERVISOR:
        return Scope(sent_referrals(user), received_referrals(user, now), user, now)
    if user.role == Role.PARTNER:
        return Scope(sa.false(), received_referrals(user, now), user, now)
    if user.role == Role.CASEWORKER:
        own = sa.and_(sent_referrals(user), Referral.sent_by_id == user.id)
        return Scope(own, sa.false(), user, now)
    return Scope(sent=sa.false(), received=sa.false())


@dataclass
class Decisions:
    """Referrals sent to one partner or program, and what became of them."""

    label: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    reasons: dict[DeclineReason, int] = field(default_factory=dict)

    @property
    def decided(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_rate(self) -> float | None:
        """Accepted out of those accepted or declined (None before any decision)."""
        return self.accepted / self.decided if self.decided else None


@dataclass
class Breakdown:
    """Counts by status (per side), decisions per partner and program, outcomes."""

    by_status: dict[ReferralStatus, dict[str, int]] = field(default_factory=dict)
    partners: dict[int, Decisions] = field(default_factory=dict)
    programs: dict[int, Decisions] = field(default_factory=dict)
    outcomes: dict[OutcomeCode, int] = field(default_factory=dict)


def breakdown(scope: Scope, filters: Filters) -> Breakdown:
    """One GROUP BY over the status rollups of the range, pivoted here (one statement).
    The names are joined to the grouped counts, not to every row grouped."""
    t = status_rollups
    sides = scope.on(t)
    n = sa.func.sum(t.c.referrals)
    keys = (
        t.c.status,
        t.c.receiving_organization_id,
        t.c.program_id,
        t.c.decline_reason,
        t.c.outcome,
    )
    counts = (
        sa.select(
            *keys,
            n.label("referrals"),
            sa.func.sum(t.c.accepted).label("accepted"),
            sa.func.sum(sa.case((sides.sent, t.c.referrals), else_=0)).label("sent"),
            sa.func.sum(sa.case((sides.received, t.c.referrals), else_=0)).label("received"),
        )
        .where(filters.rows(sides, t), *filters.rollup_conditions(t))
        .group_by(*keys)
        .having(n > 0)
        .subquery("counts")
    )
    c = counts.c
    stmt = (
        sa.select(
            c.status,
            c.receiving_organization_id,
            Organization.name,
            c.program_id,
            Program.name,
            c.decline_reason,
            c.outcome,
            c.referrals,
            c.accepted,
            c.sent,
            c.received,
        )
        .join(Organization, Organization.id == c.receiving_organization_id)
        .join(Program, Program.id == c.program_id)
    )
    result = Breakdown()
    for (
        status_code,
        org_id,
        org_name,
        program_id,
        program_name,
        reason_code,
        outcome_code,
        count,
        n_accepted,
        n_sent,
        n_received,
    ) in db.session.execute(stmt):
        status = ReferralStatus(status_code)
        reason = DeclineReason(reason_code) if reason_code else None
        outcome = OutcomeCode(outcome_code) if outcome_code else None
        count, n_accepted = int(count), int(n_accepted)
        sides_count = result.by_status.setdefault(status, {"sent": 0, "received": 0, "total": 0})
        sides_count["sent"] += int(n_sent or 0)
        sides_count["received"] += int(n_received or 0)
        sides_count["total"] += count
        for key, label, table in (
            (org_id, org_name, result.partners),
            (program_id, f"{program_name} ({org_name})", result.programs),
        ):
            row = table.setdefault(key, Decisions(label=label))
            row.sent += count
            row.accepted += n_accepted
            if reason is not None:
                row.declined += count
                row.reasons[reason] = row.reasons.get(reason, 0) + count
        if outcome is not None:
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + count
    return result


@dataclass(frozen=True)
class Timing:
    """Median hours from sending to the first response and to acceptance, for one partner."""

    label: str
    to_response: float | None
    responses: int
    to_acceptance: float | None
    acceptances: int


def response_times(scope: Scope, filters: Filters, partners: Mapping[int, str]) -> list[Timing]:
    """Per partner organization: medians read from the duration histograms (one statement).

    ``partners``: every partner with referrals in range, by id (the breakdown's), listed
    in name order; those without an answer yet have no medians. A median is the lower
    bound of the histogram bucket that holds it (rollups' ``contributions.BUCKETS``): exact
    for whole hours under a day, otherwise less than one bucket below the exact value (an
    hour under a day, six hours under a week, a day under 90 days). Two middle values are
    averaged, as percentile_cont(0.5) does.
    """
    d = duration_rollups
    n = sa.func.sum(d.c.referrals)
    # Without a program filter, the rows that count every program (tables.ALL_PROGRAMS).
    program = ALL_PROGRAMS if filters.program_id is None else filters.program_id
    stmt = (
        sa.select(d.c.receiving_organization_id, d.c.kind, d.c.minutes, n)
        .where(filters.rows(scope.on(d), d), d.c.program_id == program)
        .where(*filters.rollup_conditions(d, program=False))
        .group_by(d.c.receiving_organization_id, d.c.kind, d.c.minutes)
        .having(n > 0)
        .order_by(d.c.minutes)
    )
    histograms: dict[int, dict[str, list[tuple[int, int]]]] = {
        org_id: {"response": [], "acceptance": []} for org_id in partners
    }
    for org_id, kind, minutes, count in db.session.execute(stmt):
        if org_id in histograms:
            histograms[org_id][kind].append((int(minutes), int(count)))
    by_name = sorted(partners.items(), key=lambda item: (item[1], item[0]))
    return [_timing(name, histograms[org_id]) for org_id, name in by_name]


def _timing(name: str, histograms: dict[str, list[tuple[int, int]]]) -> Timing:
    response, acceptance = histograms["response"], histograms["acceptance"]
    return Timing(
        name,
        _median_hours(response),
        sum(c for _, c in response),
        _median_hours(acceptance),
        sum(c for _, c in acceptance),
    )


def _median_hours(histogram: list[tuple[int, int]]) -> float | None:
    """The median of a histogram ((lower bound in minutes, count), ascending), in hours."""
    total = sum(count for _, count in histogram)
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}  # the middle rank, or the two middle ones
    values, seen = [], 0
    for minutes, count in histogram:
        values += [minutes] * len({r for r in wanted if seen <= r < seen + count})
        seen += count
    return statistics.mean(values) / 60


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


class Overdue(NamedTuple):
    """A row of the overdue list: what the dashboard shows of the referral."""

    public_id: str
    program: str
    partner: str
    response_due_at: datetime | None  # set: the list holds only referrals past it


def overdue(scope: Scope, filters: Filters, now: datetime) -> list[Overdue]:
    """Requested referrals past their response time, oldest due first (one statement).

    Each side is its own arm, read in answer-time order from that side's index and cut at
    the list's length, so the list costs the same however many referrals the range holds:
    asked as one OR, PostgreSQL intersected the sides with every referral sent in the range.
    """

    def first_due(side: sa.ColumnElement[bool]) -> sa.Select[Any]:
        arm = (
            sa.select(Referral.id)
            .where(side, *filters.conditions())
            .where(Referral.status == ReferralStatus.REQUESTED, Referral.response_due_at < now)
            .order_by(Referral.response_due_at, Referral.id)
            .limit(OVERDUE_LIMIT)
            .subquery()
        )
        return sa.select(arm.c.id)  # a SELECT of the subquery: SQLite's UNION takes no LIMIT

    stmt = (
        sa.select(Referral.public_id, Program.name, Organization.name, Referral.response_due_at)
        .join(Program, Program.id == Referral.program_id)
        .join(Organization, Organization.id == Referral.receiving_organization_id)
        .where(Referral.id.in_(sa.union(first_due(scope.sent), first_due(scope.received))))
        .order_by(Referral.response_due_at, Referral.id)
        .limit(OVERDUE_LIMIT)
    )
    return [Overdue(*row) for row in db.session.execute(stmt)]


def capacity_board(user: User, scope: Scope, filters: Filters) -> list[Program]:
    """Active programs of the partners involved (every active program for supervisors)."""
    stmt = (
        sa.select(Program)
        .join(Organization, Organization.id == Program.organization_id)
        .where(Program.status == ProgramStatus.ACTIVE, Organization.active.is_(True))
        .options(
            # What the board shows: not the programs' descriptions and eligibility lists.
            load_only(
                Program.name,
                Program.capacity_available,
                Program.capacity_maximum,
                Program.capacity_unit,
                Program.capacity_updated_at,
            ),
            joinedload(Program.organization).load_only(Organization.name),
        )
        .order_by(Organization.name, Program.name)
    )
    if user.role != Role.SUPERVISOR:
        t = status_rollups
        involved = sa.select(t.c.receiving_organization_id).where(
            filters.rows(scope.on(t), t),
            *filters.rollup_conditions(t),
            t.c.referrals > 0,
        )
        stmt = stmt.where(Program.organization_id.in_(involved))
    if filters.program_id is not None:
        stmt = stmt.where(Program.id == filters.program_id)
    if filters.partner_id is not None:
        stmt = stmt.where(Program.organization_id == filters.partner_id)
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class Week:
    start: date
    sent: int
    accepted: int
    completed: int


def weekly_trend(scope: Scope, filters: Filters) -> list[Week]:
    """Sent, accepted and completed per week for the 12 weeks ending on the filter's end date.

    Weeks are counted back from the end date (not calendar weeks). The week rollups hold a
    week starting on every day, so each of the twelve is one stored row per key.
    """
    t = week_rollups
    sides = scope.on(t)
    last = day_number(filters.end)
    first = last + 1 - 7 * TREND_WEEKS
    starts = [first + 7 * i for i in range(TREND_WEEKS)]
    stmt = (
        sa.select(t.c.kind, t.c.week_start, sa.func.sum(t.c.referrals))
        .where(
            sa.or_(
                *(
                    sa.and_(side, t.c.week_start.in_(starts))
                    for side in (sides.sent, sides.received)
                )
            ),
            *filters.rollup_conditions(t),
        )
        .group_by(t.c.kind, t.c.week_start)
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for kind, week_start, n in db.session.execute(stmt):
        counts[kind][(week_start - first) // 7] = int(n)
    window_start = filters.end + timedelta(days=1) - timedelta(weeks=TREND_WEEKS)
    return [
        Week(
            start=window_start + timedelta(weeks=i),
            sent=counts["sent"].get(i, 0),
            accepted=counts["accepted"].get(i, 0),
            completed=counts["completed"].get(i, 0),
        )
        for i in range(TREND_WEEKS)
    ]


def filter_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Programs and receiving organizations for the filter form (the directory is public)."""
    programs = db.session.execute(
        sa.select(Program.id, Program.name, Organization.name)
        .join(Organization, Organization.id == Program.organization_id)
        .order_by(Organization.name, Program.name)
    )
    partners = db.session.execute(
        sa.select(Organization.id, Organization.name)
        .where(Organization.receives.is_(True))
        .order_by(Organization.name)
    )
    return (
        [(pid, f"{name} ({org})") for pid, name, org in programs],
        [(oid, name) for oid, name in partners],
    )


def referral_list(scope: Scope, filters: Filters) -> list[tuple[Any, ...]]:
    """The export's record list: codes, names and times only (no client code, no notes)."""
    stmt = (
        sa.select(
            Referral.public_id,
            Referral.status,
            Program.name,
            Organization.name,
            Referral.sent_at,
            Referral.responded_at,
            Referral.decline_reason,
            Referral.outcome,
        )
        .join(Program, Program.id == Referral.program_id)
        .join(Organization, Organization.id == Referral.receiving_organization_id)
        .where(scope.either, *filters.conditions())
        .order_by(Referral.sent_at, Referral.id)
    )
    return [tuple(row) for row in db.session.execute(stmt)]
