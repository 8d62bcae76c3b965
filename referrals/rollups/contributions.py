"""What the referrals add to each rollup table, written once as SQL.

``rows(table, dialect, ids)`` is a SELECT of the table's rows for the referrals with those ids
(every referral when ``ids`` is None). The same statement fills the tables (``rebuild``),
recomputes them for ``flask rollups check``, and gives the rows a change adds or takes away
(``upkeep.py``), so the three cannot disagree about what a referral counts for.

Each statement groups by day first and only then spreads the days over the periods that
hold them, so a rebuild reads every referral once.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from referrals import localtime
from referrals.enums import ReferralStatus
from referrals.intake.models import Consent, consent_organizations
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.rollups.periods import MONDAY, SPANS
from referrals.rollups.tables import (
    ALL_PROGRAMS,
    BOTH,
    DIMENSIONS,
    RECEIVED,
    SENT,
    duration_rollups,
    quarter_rollups,
    status_rollups,
    week_rollups,
)

# Median buckets (lower bound and width in minutes): a median read from them is the lower
# bound of the bucket that holds it, at most one width below the exact one: under an hour
# below a day, under six hours below a week, under a day below 90 days, then 30 days.
# The referral's own columns that the facts start from; the side, its organization and the
# consent's week (tables.py) are derived from them.
REFERRAL_COLUMNS = (
    "sending_organization_id",
    "sent_by_id",
    "program_id",
    "receiving_organization_id",
)
BUCKETS = ((0, 60), (24 * 60, 6 * 60), (7 * 24 * 60, 24 * 60), (90 * 24 * 60, 30 * 24 * 60))


def local(column: Any, dialect: str) -> sa.ColumnElement[Any]:
    """A moment as the wall-clock time of the coalition's zone (COALITION_TIMEZONE): the
    rollups' days and quarters are the ones people read on the pages (localtime.py). SQLite
    has no zone data: wiring.py gives its connections ``coalition_local`` from zoneinfo."""
    if dialect == "postgresql":
        name = localtime.zone().key.replace("'", "''")
        return sa.func.timezone(sa.literal_column(f"'{name}'"), column)
    return sa.func.coalition_local(column)


def day(column: Any, dialect: str) -> sa.ColumnElement[int]:
    """Whole days since 1970-01-01 of the coalition's calendar."""
    moment = local(column, dialect)
    if dialect == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", moment) / 86400), sa.Integer)
    return sa.cast(sa.func.julianday(moment) - 2440587.5, sa.Integer)


def minutes_between(later: Any, earlier: Any, dialect: str) -> sa.ColumnElement[int]:
    if dialect == "postgresql":
        return sa.cast(sa.func.floor(sa.extract("epoch", later - earlier) / 60), sa.Integer)
    seconds = sa.func.round((sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400)
    return sa.cast(seconds, sa.Integer) // 60


def bucket(minutes: sa.ColumnElement[int]) -> sa.ColumnElement[int]:
    """The lower bound of the bucket holding ``minutes``."""
    whens = [
        (minutes < upper, (minutes // width) * width)
        for (_, width), (upper, _) in itertools.pairwise(BUCKETS)
    ]
    last = BUCKETS[-1][1]
    return sa.case(*whens, else_=(minutes // last) * last)


def quarter(column: Any, dialect: str) -> sa.ColumnElement[int]:
    """``year * 4 + quarter - 1`` of a moment, in the coalition's calendar."""
    moment = local(column, dialect)
    if dialect == "postgresql":
        return sa.cast(
            sa.extract("year", moment) * 4 + sa.func.floor((sa.extract("month", moment) - 1) / 3),
            sa.Integer,
        )
    year = sa.cast(sa.func.strftime("%Y", moment), sa.Integer)
    month = sa.cast(sa.func.strftime("%m", moment), sa.Integer)
    return year * 4 + (month - 1) // 3


def _text(column: Any) -> sa.ColumnElement[str]:
    """A code as its stored text ('' for none), so that keys are plain strings."""
    return sa.func.coalesce(sa.type_coerce(column, sa.String), "")


def consent_end(dialect: str) -> sa.ColumnElement[int]:
    """The day the referral's last active consent naming its partner ends (NULL: none)."""
    ends = (
        sa.select(sa.func.max(Consent.expires_at))
        .join(consent_organizations, consent_organizations.c.consent_id == Consent.id)
        .where(
            Consent.intake_id == Referral.intake_id,
            consent_organizations.c.organization_id == Referral.receiving_organization_id,
            Consent.revoked_at.is_(None),
        )
        .correlate(Referral)
        .scalar_subquery()
    )
    return day(ends, dialect)


def _int(value: int) -> sa.ColumnElement[int]:
    """A constant written into the SQL (the same text in SELECT and GROUP BY)."""
    return sa.literal_column(str(value), sa.Integer)


def facts_select(dialect: str, ids: Collection[int] | None) -> sa.Select[Any]:
    """A row per referral and side (tables.py): its days, durations (as buckets), codes and
    the dimensions that side reads.

    ``consent_week`` is the Monday (day number) of the week in which the last active
    consent naming the partner ends, 0 when none does: ``access.received_rollups`` counts
    a row only while that week is still ahead.
    """
    sent = Referral.sent_at
    inner = _restricted(
        sa.select(
            *(getattr(Referral, n).label(n) for n in REFERRAL_COLUMNS),
            consent_end(dialect).label("consent_end"),
            day(sent, dialect).label("sent_day"),
            day(Referral.accepted_at, dialect).label("accepted_day"),
            day(Referral.closed_at, dialect).label("closed_day"),
            minutes_between(Referral.responded_at, sent, dialect).label("response"),
            minutes_between(Referral.accepted_at, sent, dialect).label("acceptance"),
            _text(Referral.status).label("status"),
            _text(Referral.decline_reason).label("decline_reason"),
            _text(Referral.outcome).label("outcome"),
        ),
        ids,
    ).subquery("referral")
    end = inner.c.consent_end
    # Row 0 is the sender's, row 1 the partner's; an organization's own referral has one.
    sides = _numbers("side", (0, 1))
    own = inner.c.sending_organization_id == inner.c.receiving_organization_id
    side = sa.case((own, BOTH), (sides.c.side == 0, SENT), else_=RECEIVED)
    for_sender = sa.and_(sides.c.side == 0, ~own)
    for_partner = sa.and_(sides.c.side == 1, ~own)
    consent_week = sa.func.coalesce(end - (end - _int(MONDAY)) % 7, 0)
    return sa.select(
        sa.case(
            (for_partner, inner.c.receiving_organization_id), else_=inner.c.sending_organization_id
        ).label("organization_id"),
        side.label("side"),
        inner.c.program_id,
        sa.case((for_partner, 0), else_=inner.c.sent_by_id).label("sent_by_id"),
        inner.c.receiving_organization_id,
        sa.case((for_sender, 0), else_=consent_week).label("consent_week"),
        inner.c.sent_day,
        inner.c.accepted_day,
        inner.c.closed_day,
        bucket(inner.c.response).label("response"),
        bucket(inner.c.acceptance).label("acceptance"),
        inner.c.status,
        inner.c.decline_reason,
        inner.c.outcome,
    ).select_from(inner.join(sides, sa.or_(sides.c.side == 0, ~own)))


def facts(dialect: str, ids: Collection[int] | None, source: Any = None) -> Any:
    """The facts as a CTE, or ``source``: a table already holding them (the rebuild's)."""
    return facts_select(dialect, ids).cte("facts") if source is None else source


def _restricted(stmt: Any, ids: Collection[int] | None) -> Any:
    return stmt if ids is None else stmt.where(Referral.id.in_(sorted(ids)))


def _numbers(name: str, values: Collection[int]) -> sa.Subquery:
    """A one-column table of small integers (the spans, the week offsets)."""
    selects = [sa.select(sa.literal_column(str(v), sa.Integer).label(name)) for v in values]
    return sa.union_all(*selects).subquery(name)


def _spread(daily: sa.Subquery, measures: list[str], *keys: str) -> sa.Select[Any]:
    """Daily rows spread over every stored period that holds their day."""
    spans = _numbers("span", SPANS)
    start = daily.c.day - (daily.c.day - _int(MONDAY)) % spans.c.span
    columns = [daily.c[k] for k in (*DIMENSIONS, *keys)]
    return (
        sa.select(
            spans.c.span,
            start.label("period_start"),
            *columns,
            *(sa.func.sum(daily.c[m]).label(m) for m in measures),
        )
        .select_from(daily.join(spans, sa.true()))
        .group_by(spans.c.span, start, *columns)
    )


def _daily(
    f: sa.CTE | sa.Subquery,
    day_column: str,
    keys: Sequence[sa.ColumnElement[Any]],
    *where: Any,
    kind: str | None = None,
) -> sa.Select[Any]:
    """Referrals per day and key (``kind``: a constant column naming the series)."""
    columns = [f.c[day_column].label("day"), *(f.c[n] for n in DIMENSIONS), *keys]
    constant = [sa.literal_column(f"'{kind}'", sa.String).label("kind")] if kind else []
    return (
        sa.select(*columns[:1], *constant, *columns[1:], sa.func.count().label("referrals"))
        .where(f.c[day_column].is_not(None), *where)
        .group_by(*columns)
    )


def status_rows(dialect: str, ids: Collection[int] | None, source: Any = None) -> sa.Select[Any]:
    f = facts(dialect, ids, source)
    codes = [f.c.status, f.c.decline_reason, f.c.outcome]
    daily = (
        _daily(f, "sent_day", codes)
        .add_columns(sa.func.count(f.c.accepted_day).label("accepted"))
        .subquery("daily")
    )
    return _spread(daily, ["referrals", "accepted"], "status", "decline_reason", "outcome")


def duration_rows(dialect: str, ids: Collection[int] | None, source: Any = None) -> sa.Select[Any]:
    """Each referral's times counted twice: under its program, and under ``ALL_PROGRAMS``,
    which the dashboard reads when no program is chosen: a partner's histogram is then a
    few dozen buckets, not a few dozen for each of its programs."""
    f = facts(dialect, ids, source)
    every = sa.select(
        *(_int(ALL_PROGRAMS).label(c.name) if c.name == "program_id" else c for c in f.c)
    ).subquery("every_program")
    daily = sa.union_all(
        *(
            _daily(
                by, "sent_day", [by.c[name].label("minutes")], by.c[name].is_not(None), kind=name
            )
            for by in (f, every)
            for name in ("response", "acceptance")
        )
    ).subquery("daily")
    return _spread(daily, ["referrals"], "kind", "minutes")


def week_rows(dialect: str, ids: Collection[int] | None, source: Any = None) -> sa.Select[Any]:
    f = facts(dialect, ids, source)
    daily = sa.union_all(
        _daily(f, "sent_day", [], kind="sent"),
        _daily(f, "accepted_day", [], kind="accepted"),
        _daily(f, "closed_day", [], f.c.status == ReferralStatus.COMPLETED.value, kind="completed"),
    ).subquery("daily")
    offsets = _numbers("offset", range(7))
    start = daily.c.day - offsets.c.offset
    dimensions = [daily.c[name] for name in DIMENSIONS]
    return (
        sa.select(
            start.label("week_start"),
            *dimensions,
            daily.c.kind,
            sa.func.sum(daily.c.referrals).label("referrals"),
        )
        .select_from(daily.join(offsets, sa.true()))
        .group_by(start, *dimensions, daily.c.kind)
    )


def quarter_rows(dialect: str, ids: Collection[int] | None, source: Any = None) -> sa.Select[Any]:
    """Each referral in the status it had when its sending quarter ended: its last status
    change in that quarter or before (a row without one counts in its current status)."""
    sent_quarter = quarter(Referral.sent_at, dialect)
    status_then = (
        sa.select(sa.type_coerce(ReferralEvent.to_status, sa.String))
        .where(
            ReferralEvent.referral_id == Referral.id,
            ReferralEvent.to_status.is_not(None),
            quarter(ReferralEvent.occurred_at, dialect) <= sent_quarter,
        )
        .order_by(ReferralEvent.occurred_at.desc(), ReferralEvent.id.desc())
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )
    snapshot = _restricted(
        sa.select(
            sent_quarter.label("quarter"),
            Referral.receiving_organization_id,
            sa.func.coalesce(status_then, sa.type_coerce(Referral.status, sa.String)).label(
                "status"
            ),
            _text(Referral.decline_reason).label("decline_reason"),
            _text(Referral.outcome).label("outcome"),
        ).where(Referral.sent_at.is_not(None)),
        ids,
    ).subquery("snapshot")
    keys = [snapshot.c[c.name] for c in quarter_rollups.primary_key.columns]
    return (
        sa.select(*keys, sa.func.count().label("referrals"))
        .where(snapshot.c.status != ReferralStatus.DRAFT.value)
        .group_by(*keys)
    )


ROWS = {
    status_rollups: status_rows,
    duration_rollups: duration_rows,
    week_rollups: week_rows,
    quarter_rollups: quarter_rows,
}


def rows(
    table: sa.Table, dialect: str, ids: Collection[int] | None = None, source: Any = None
) -> sa.Select[Any]:
    """The table's rows for these referrals (all of them when ``ids`` is None)."""
    return ROWS[table](dialect, ids, source)
