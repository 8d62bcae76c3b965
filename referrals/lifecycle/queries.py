"""Reads of referrals, scoped in SQL to what the viewer's organization may see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from referrals.auth.models import User
from referrals.db_types import UtcDateTime, utcnow
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import SIDE_ROLES, Side
from referrals.pagination import parse_cursor, split_page
from referrals.programs.models import Organization, Program

SENDER_ROLES = SIDE_ROLES[Side.SENDER]
RECEIVER_ROLES = SIDE_ROLES[Side.RECEIVER]


def _consent_covers_receiver(moment: Any) -> sa.ColumnElement[bool]:
    """An active consent of the referral's intake names the receiving organization."""
    return (
        sa.select(Consent.id)
        .join(consent_organizations, consent_organizations.c.consent_id == Consent.id)
        .where(
            Consent.intake_id == Referral.intake_id,
            consent_organizations.c.organization_id == Referral.receiving_organization_id,
            Consent.revoked_at.is_(None),
            Consent.given_at <= moment,
            Consent.expires_at > moment,
        )
        .exists()
    )


def _received(organization_id: Any, moment: Any) -> sa.ColumnElement[bool]:
    return sa.and_(
        Referral.receiving_organization_id == organization_id,
        Referral.status != ReferralStatus.DRAFT,
        _consent_covers_receiver(moment),
    )


def received_by(user: User, moment: datetime) -> sa.ColumnElement[bool]:
    """Referrals the user's organization received, sent, and still covered by consent."""
    if user.role not in RECEIVER_ROLES:
        return sa.false()
    return _received(user.organization_id, moment)


def sent_by(user: User) -> sa.ColumnElement[bool]:
    """Referrals the user's organization sent (drafts included)."""
    if user.role not in SENDER_ROLES or not user.organization.refers:
        return sa.false()
    return Referral.sending_organization_id == user.organization_id


def get_referral_for(user: User, public_id: str) -> Referral:
    """The referral if the user's organization may see it now; otherwise 404."""
    now = utcnow()
    referral = db.session.scalar(
        sa.select(Referral)
        .where(Referral.public_id == public_id.upper())
        .where(sa.or_(sent_by(user), received_by(user, now)))
        .options(
            joinedload(Referral.program),
            joinedload(Referral.intake),
            joinedload(Referral.receiving_organization),
            joinedload(Referral.sending_organization),
            selectinload(Referral.events)
            .joinedload(ReferralEvent.actor)
            .joinedload(User.organization),
        )
    )
    if referral is None:
        abort(404)
    return referral


@dataclass(frozen=True, slots=True)
class Named:
    """The one column a list shows of a related row."""

    name: str


@dataclass(frozen=True, slots=True)
class Coded:
    client_code: str


@dataclass(frozen=True, slots=True)
class ReferralLine:
    """One line of the inbox or the sent list: only the columns the list shows.

    Plain values instead of ORM objects (a list builds no identity map and decodes none of
    the intake's or program's JSON columns), named like Referral's attributes so the list
    template reads a line as it would read a referral.
    """

    id: int
    public_id: str
    status: ReferralStatus
    first_viewed_at: datetime | None
    sent_at: datetime | None
    response_due_at: datetime | None
    created_at: datetime
    intake: Coded
    program: Named
    sending_organization: Named
    receiving_organization: Named

    def is_overdue(self, moment: datetime) -> bool:
        """The rule of ``Referral.is_overdue``."""
        return (
            self.status == ReferralStatus.REQUESTED
            and self.response_due_at is not None
            and self.response_due_at < moment
        )


def _name_of(model: type[Program] | type[Organization], key: Any) -> Any:
    return sa.select(model.name).where(model.id == key).scalar_subquery()


def _lines(scope: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """The list's columns. Names and the client code come from correlated subqueries run
    for the page's rows only: joining their tables instead makes PostgreSQL weigh join
    orders, which took longer than running the statement (docs/PERFORMANCE.md). Even the
    one join with intakes (a required key: it never drops a row) took 0.46 ms to plan
    against 0.26 ms for the subquery, at a million referrals."""
    return sa.select(
        Referral.id,
        Referral.public_id,
        Referral.status,
        Referral.first_viewed_at,
        Referral.sent_at,
        Referral.response_due_at,
        Referral.created_at,
        sa.select(Intake.client_code).where(Intake.id == Referral.intake_id).scalar_subquery(),
        _name_of(Program, Referral.program_id),
        _name_of(Organization, Referral.sending_organization_id),
        _name_of(Organization, Referral.receiving_organization_id),
    ).where(scope)


def _line(row: Any) -> ReferralLine:
    return ReferralLine(
        id=row[0],
        public_id=row[1],
        status=row[2],
        first_viewed_at=row[3],
        sent_at=row[4],
        response_due_at=row[5],
        created_at=row[6],
        intake=Coded(row[7]),
        program=Named(row[8]),
        sending_organization=Named(row[9]),
        receiving_organization=Named(row[10]),
    )


def _rows(stmt: sa.Executable, params: dict[str, Any]) -> Sequence[Any]:
    # On the session's connection, as Core: the lines are plain values, and the ORM's
    # execution path (autoflush, ORM result) cost a quarter of the statement's time. The
    # list views read only, so there is nothing to flush first. One fetchall.
    return db.session.connection().execute(stmt, params).all()


def _fetch(stmt: sa.Select[Any], params: dict[str, Any]) -> list[ReferralLine]:
    return [_line(row) for row in _rows(stmt, params)]


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralLine]
    next_cursor: str | None


# The list statements are built once and run with parameters: building and hashing a
# select with a consent subquery took longer than PostgreSQL took to run it.
_ORGANIZATION = sa.bindparam("organization_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UtcDateTime())
_STATUS = sa.bindparam("status", type_=Referral.__table__.c.status.type)
_AFTER_AT = sa.bindparam("after_at", type_=UtcDateTime())
_AFTER_ID = sa.bindparam("after_id", type_=sa.Integer())
_LIMIT = sa.bindparam("limit", type_=sa.Integer())


@cache
def _page_statement(side: Side, *, filtered: bool, after: bool) -> sa.Select[Any]:
    """Newest first by keyset on (created_at, id): the cost does not grow with the page number."""
    if side == Side.RECEIVER:
        scope = _received(_ORGANIZATION, _NOW)
    else:
        scope = Referral.sending_organization_id == _ORGANIZATION
    stmt = _lines(scope).order_by(Referral.created_at.desc(), Referral.id.desc()).limit(_LIMIT)
    if filtered:
        stmt = stmt.where(Referral.status == _STATUS)
    if after:
        stmt = stmt.where(
            sa.or_(
                Referral.created_at < _AFTER_AT,
                sa.and_(Referral.created_at == _AFTER_AT, Referral.id < _AFTER_ID),
            )
        )
    return stmt


def _overdue_lines(limit: Any) -> sa.Select[Any]:
    return (
        _lines(_received(_ORGANIZATION, _NOW))
        .where(Referral.status == ReferralStatus.REQUESTED, Referral.response_due_at < _NOW)
        .order_by(Referral.response_due_at, Referral.id)
        .limit(limit)
    )


_OVERDUE = _overdue_lines(_LIMIT)
_OVERDUE_LIMIT = sa.bindparam("overdue_limit", type_=sa.Integer())
_OVERDUE_PART, _PAGE_PART = 0, 1


def _part(number: int) -> sa.Label[Any]:
    return sa.literal_column(str(number)).label("part")


@cache
def _inbox_first_page_statement(*, filtered: bool) -> sa.CompoundSelect[Any]:
    """The overdue panel and the inbox's first page as one statement, each part marked.

    One statement instead of two: PostgreSQL planned and ran the pair in 1.3 ms against
    1.75 ms apart, at a million referrals, and the request makes one round trip fewer.
    Each part keeps its own order and limit inside a subquery (SQLite takes no
    parenthesised SELECT in a UNION).
    """
    overdue = _overdue_lines(_OVERDUE_LIMIT).add_columns(_part(_OVERDUE_PART))
    page = _page_statement(Side.RECEIVER, filtered=filtered, after=False).add_columns(
        _part(_PAGE_PART)
    )
    return sa.union_all(sa.select(overdue.subquery()), sa.select(page.subquery()))


def _page(
    side: Side, user: User, *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    position = parse_cursor(after)
    params: dict[str, Any] = {"organization_id": user.organization_id, "limit": size + 1}
    if side == Side.RECEIVER:
        params["now"] = utcnow()
    if status is not None:
        params["status"] = status
    if position is not None:
        params["after_at"], params["after_id"] = position
    stmt = _page_statement(side, filtered=status is not None, after=position is not None)
    rows, cursor = split_page(_fetch(stmt, params), size, lambda row: (row.created_at, row.id))
    return ReferralPage(rows=rows, next_cursor=cursor)


def overdue_received(user: User, *, limit: int) -> list[ReferralLine]:
    """Requested referrals past their response time, oldest due first."""
    if user.role not in RECEIVER_ROLES:
        return []
    params = {"organization_id": user.organization_id, "now": utcnow(), "limit": limit}
    return _fetch(_OVERDUE, params)


def inbox_first_page(
    user: User, *, status: ReferralStatus | None, size: int
) -> tuple[list[ReferralLine], ReferralPage]:
    """What the inbox shows first: ``overdue_received(limit=size)`` and the first
    ``inbox_page``, from one statement."""
    if user.role not in RECEIVER_ROLES:  # the rule of received_by()
        return [], ReferralPage(rows=[], next_cursor=None)
    params: dict[str, Any] = {
        "organization_id": user.organization_id,
        "now": utcnow(),
        "overdue_limit": size,
        "limit": size + 1,
    }
    if status is not None:
        params["status"] = status
    overdue: list[ReferralLine] = []
    newest: list[ReferralLine] = []
    for row in _rows(_inbox_first_page_statement(filtered=status is not None), params):
        (overdue if row[11] == _OVERDUE_PART else newest).append(_line(row))
    # A UNION ALL promises no order of its own: each part is put back in the order its
    # subquery chose its rows by.
    overdue.sort(key=lambda line: (line.response_due_at, line.id))
    newest.sort(key=lambda line: (line.created_at, line.id), reverse=True)
    rows, cursor = split_page(newest, size, lambda line: (line.created_at, line.id))
    return overdue, ReferralPage(rows=rows, next_cursor=cursor)


def inbox_page(
    user: User, *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    if user.role not in RECEIVER_ROLES:  # the rule of received_by()
        return ReferralPage(rows=[], next_cursor=None)
    return _page(Side.RECEIVER, user, status=status, after=after, size=size)


def sent_page(
    user: User, *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    if not can_use_sent_list(user):  # the rule of sent_by()
        return ReferralPage(rows=[], next_cursor=None)
    return _page(Side.SENDER, user, status=status, after=after, size=size)


def can_use_inbox(user: User) -> bool:
    return user.role in RECEIVER_ROLES and user.organization.receives


def can_use_sent_list(user: User) -> bool:
    return user.role in SENDER_ROLES and user.organization.refers
