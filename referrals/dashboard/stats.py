"""Dashboard figures for one viewer, scoped in SQL; a fixed number of statements per page.

Every figure is computed inside ``scope_for(user)``: the same visibility rules as the lists
(access.py's ``received_referrals`` / ``sent_referrals``), so a partner never counts another
organization's referrals, drafts, or referrals no consent covers any more.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from referrals.access import received_referrals, sent_referrals
from referrals.auth.models import User
from referrals.db_types import UtcDateTime
from referrals.enums import DeclineReason, OutcomeCode, ProgramStatus, ReferralStatus, Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.localtime import day_end, day_start
from referrals.programs.models import Organization, Program

TREND_WEEKS = 12
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

    @property
    def either(self) -> sa.ColumnElement[bool]:
        return sa.or_(self.sent, self.received)


def scope_for(user: User, now: datetime) -> Scope:
    """Supervisors: their organization's sent and received; partners: received; caseworkers:
    the referrals they sent themselves. Admins see nothing (the view answers 403 before)."""
    if user.role == Role.SUPERVISOR:
        return Scope(sent=sent_referrals(user), received=received_referrals(user, now))
    if user.role == Role.PARTNER:
        return Scope(sent=sa.false(), received=received_referrals(user, now))
    if user.role == Role.CASEWORKER:
        return Scope(
            sent=sa.and_(sent_referrals(user), Referral.sent_by_id == user.id), received=sa.false()
        )
    return Scope(sent=sa.false(), received=sa.false())


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def hours_between(later: Any, earlier: Any) -> sa.ColumnElement[float]:
    """``later - earlier`` in hours, as a float, in the database's own arithmetic."""
    if _dialect() == "postgresql":
        return sa.cast(sa.extract("epoch", later - earlier) / 3600, sa.Float)
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24.0


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
    """One GROUP BY over every dimension the dashboard shows, pivoted here (one statement)."""
    sent_side = sa.func.sum(sa.case((scope.sent, 1), else_=0))
    received_side = sa.func.sum(sa.case((scope.received, 1), else_=0))
    accepted = sa.func.count(Referral.accepted_at)
    stmt = (
        sa.select(
            Referral.status,
            Referral.receiving_organization_id,
            Organization.name,
            Referral.program_id,
            Program.name,
            Referral.decline_reason,
            Referral.outcome,
            sa.func.count(),
            accepted,
            sent_side,
            received_side,
        )
        .join(Organization, Organization.id == Referral.receiving_organization_id)
        .join(Program, Program.id == Referral.program_id)
        .where(scope.either, *filters.conditions())
        .group_by(
            Referral.status,
            Referral.receiving_organization_id,
            Organization.name,
            Referral.program_id,
            Program.name,
            Referral.decline_reason,
            Referral.outcome,
        )
    )
    result = Breakdown()
    for (
        status,
        org_id,
        org_name,
        program_id,
        program_name,
        reason,
        outcome,
        n,
        n_accepted,
        n_sent,
        n_received,
    ) in db.session.execute(stmt):
        sides = result.by_status.setdefault(status, {"sent": 0, "received": 0, "total": 0})
        sides["sent"] += int(n_sent or 0)
        sides["received"] += int(n_received or 0)
        sides["total"] += n
        for key, label, table in (
            (org_id, org_name, result.partners),
            (program_id, f"{program_name} ({org_name})", result.programs),
        ):
            row = table.setdefault(key, Decisions(label=label))
            row.sent += n
            row.accepted += n_accepted
            if reason is not None:
                row.declined += n
                row.reasons[reason] = row.reasons.get(reason, 0) + n
        if outcome is not None:
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + n
    return result


@dataclass(frozen=True)
class Timing:
    """Median hours from sending to the first response and to acceptance, for one partner."""

    label: str
    to_response: float | None
    responses: int
    to_acceptance: float | None
    acceptances: int


def response_times(scope: Scope, filters: Filters) -> list[Timing]:
    """Per partner organization; percentile_cont on PostgreSQL, the same median on SQLite."""
    to_response = hours_between(Referral.responded_at, Referral.sent_at)
    to_acceptance = hours_between(Referral.accepted_at, Referral.sent_at)
    where = [scope.either, *filters.conditions()]
    base = sa.select(Organization.id, Organization.name).join(
        Referral, Referral.receiving_organization_id == Organization.id
    )
    if _dialect() == "postgresql":
        stmt = (
            base.add_columns(
                sa.func.percentile_cont(0.5).within_group(to_response).label("response"),
                sa.func.count(Referral.responded_at),
                sa.func.percentile_cont(0.5).within_group(to_acceptance).label("acceptance"),
                sa.func.count(Referral.accepted_at),
            )
            .where(*where)
            .group_by(Organization.id, Organization.name)
            .order_by(Organization.name)
        )
        return [
            Timing(name, _float(r), n_r, _float(a), n_a)
            for _id, name, r, n_r, a, n_a in db.session.execute(stmt)
        ]
    # SQLite has no percentile_cont: one query for the durations, the median taken here
    # (statistics.median averages the middle two, as percentile_cont(0.5) interpolates).
    stmt = (
        base.add_columns(to_response, to_acceptance)
        .where(*where)
        .order_by(Organization.name, Organization.id)
    )
    durations: dict[tuple[str, int], tuple[list[float], list[float]]] = {}
    for org_id, name, response, acceptance in db.session.execute(stmt):
        responses, acceptances = durations.setdefault((name, org_id), ([], []))
        if response is not None:
            responses.append(float(response))
        if acceptance is not None:
            acceptances.append(float(acceptance))
    return [
        Timing(
            name,
            statistics.median(responses) if responses else None,
            len(responses),
            statistics.median(acceptances) if acceptances else None,
            len(acceptances),
        )
        for (name, _id), (responses, acceptances) in durations.items()
    ]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def overdue(scope: Scope, filters: Filters, now: datetime) -> list[Referral]:
    """Requested referrals past their response time, oldest due first (one statement)."""
    stmt = (
        sa.select(Referral)
        .where(scope.either, *filters.conditions())
        .where(Referral.status == ReferralStatus.REQUESTED, Referral.response_due_at < now)
        .options(joinedload(Referral.program), joinedload(Referral.receiving_organization))
        .order_by(Referral.response_due_at, Referral.id)
        .limit(OVERDUE_LIMIT)
    )
    return list(db.session.scalars(stmt))


def capacity_board(user: User, scope: Scope, filters: Filters) -> list[Program]:
    """Active programs of the partners involved (every active program for supervisors)."""
    stmt = (
        sa.select(Program)
        .join(Organization, Organization.id == Program.organization_id)
        .where(Program.status == ProgramStatus.ACTIVE, Organization.active.is_(True))
        .options(joinedload(Program.organization))
        .order_by(Organization.name, Program.name)
    )
    if user.role != Role.SUPERVISOR:
        involved = sa.select(Referral.receiving_organization_id).where(
            scope.either, *filters.conditions()
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

    Weeks are counted back from the end date (not calendar weeks), so both databases bucket
    alike: week index = whole weeks between the window start and the event.
    """
    window_end = day_end(filters.end)
    window_start = window_end - timedelta(weeks=TREND_WEEKS)
    start_param = sa.literal(window_start, UtcDateTime())

    def week_of(column: Any) -> sa.ColumnElement[int]:
        weeks = hours_between(column, start_param) / (24 * 7)
        if _dialect() == "postgresql":
            return sa.cast(sa.func.floor(weeks), sa.Integer)
        return sa.cast(weeks, sa.Integer)  # truncation is floor: the event is after the start

    def series(kind: str, column: Any, *extra: sa.ColumnElement[bool]) -> Any:
        week = week_of(column).label("week")
        return (
            sa.select(
                sa.literal_column(f"'{kind}'").label("kind"), week, sa.func.count().label("n")
            )
            .where(scope.either, *filters.subject_conditions(), *extra)
            .where(column >= window_start, column < window_end)
            .group_by(week)
        )

    stmt = sa.union_all(
        series("sent", Referral.sent_at),
        series("accepted", Referral.accepted_at),
        series("completed", Referral.closed_at, Referral.status == ReferralStatus.COMPLETED),
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for kind, week, n in db.session.execute(stmt):
        counts[kind][int(week)] = n
    return [
        Week(
            # Named by the coalition's day it starts on (a UTC moment's date may be the
            # day before).
            start=filters.end + timedelta(days=1) - timedelta(weeks=TREND_WEEKS - i),
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
