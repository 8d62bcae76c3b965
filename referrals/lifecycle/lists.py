"""The referral lists: the partner inbox, its overdue queue, and the sent list.

Each list is one statement built once with bound parameters (building and hashing a select
with a consent subquery took longer than PostgreSQL took to run it) and paged by keyset, so
page N costs what page 1 costs. A line (``ReferralLine``) holds the columns the list shows,
computed in SQL (whether it is overdue, unread, the other organization's name), with no ORM
object behind it; the list template reads them by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from referrals.access import lists_received, lists_sent, received_in, sent_in
from referrals.auth.models import User
from referrals.db_types import UtcDateTime, utcnow
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import Side
from referrals.pagination import parse_cursor, split_page
from referrals.postgresql import prepared
from referrals.programs.models import Organization, Program

# The inbox's first page opens with the referrals that waited longest past their answer
# time; the whole queue is one click away (``?status=overdue``). A handful is what a
# partner answers before looking at what is new; more would push the new ones off screen.
OVERDUE_PANEL_ROWS = 5
# The choice of the status filter that shows the overdue queue ("overdue" is not a status).
OVERDUE_FILTER = "overdue"

_ORGANIZATION = sa.bindparam("organization_id", type_=sa.Integer())
_NOW = sa.bindparam("now", type_=UtcDateTime())
_STATUS = sa.bindparam("status", type_=Referral.__table__.c.status.type)
_AFTER_AT = sa.bindparam("after_at", type_=UtcDateTime())
_AFTER_ID = sa.bindparam("after_id", type_=sa.Integer())
_ME = sa.bindparam("me", type_=sa.Integer())
# "Assigned to me": the referrals the user works on their side.
_ASSIGNEE = {Side.RECEIVER: Referral.receiver_assignee_id, Side.SENDER: Referral.sender_assignee_id}

# The statements with a limit are cached per page size: one or two sizes in practice (the
# setting, and the overdue panel's); the bound keeps it so if a size ever came from a request.
_STATEMENTS_PER_SHAPE = 64


def _written(limit: int) -> sa.ColumnElement[Any]:
    """A limit written into the SQL: a generic plan for "LIMIT $1" expects a tenth of the
    rows, and sorts. Written when the statement is built (each is cached per page size),
    not at each run: SQLAlchemy's literal_execute rewrote the SQL text on every request.
    """
    return sa.literal_column(str(int(limit)))


Built = TypeVar("Built", sa.Select[Any], sa.CompoundSelect[Any])


def _built(statement: Built) -> Built:
    """A list statement as it is run: prepared, with every status it compares against
    (drafts left out, requests overdue) written into its SQL, as its limit is.

    PostgreSQL plans a prepared statement for its values five times, then keeps one generic
    plan if that looks no costlier. With the statuses as parameters its generic plan could
    not tell a draft from a request, so it planned the inbox again on every request (1.5 ms
    at a million referrals, twice the run). With them in the SQL the only parameters left
    are the organization, the moment and the cursor, whose values do not change the plan
    (an index walk on the organization stopped at the page's size), and it keeps the
    generic plan by itself. A status is one of our codes (lowercase letters and ``_``).
    """

    def written(element: Any, **_kw: Any) -> Any:
        if isinstance(element, BindParameter) and isinstance(element.value, ReferralStatus):
            return sa.literal_column(f"'{element.value.value}'")
        return None

    return prepared(cast(Built, visitors.replacement_traverse(statement, {}, written)))


_PANEL, _PAGE = 0, 1  # the parts of the inbox's first statement


@dataclass(frozen=True)
class ReferralPage:
    rows: Sequence[ReferralLine]
    next_cursor: str | None


@dataclass(frozen=True)
class InboxFirstPage:
    overdue: Sequence[ReferralLine]  # at most OVERDUE_PANEL_ROWS lines, the longest overdue first
    more_overdue: bool  # whether the overdue queue holds more than the panel shows
    page: ReferralPage


class ReferralLine(NamedTuple):
    """One line of a referral list: _lines() below selects a column for each field, by name.

    A new column is a field here, its expression there and its cell in _list.html."""

    id: int
    public_id: str
    status: str  # the code: the templates compare and look it up as text
    unread: bool  # not yet opened by the receiving organization
    sent_at: datetime | None
    response_due_at: datetime | None
    created_at: datetime
    overdue: bool
    client_code: str
    program_name: str
    counterpart: str  # the other party: who sent it (inbox) or who received it (sent list)


def _lines(side: Side, scope: sa.ColumnElement[bool]) -> sa.Select[*tuple[Any, ...]]:
    """The list's columns, with the client code and names joined in.

    Joins, not correlated subqueries: each subquery ran as a sub-plan per row, which cost
    PostgreSQL 0.43 ms of CPU for a 51-row page against 0.32 ms joined (the two small
    tables are memoized). Joins take longer to plan (1.2 ms), but that is paid once per
    connection: every list statement is prepared and keeps its generic plan (_built).
    Every referral has an intake, a program and both organizations: the inner joins drop
    none.
    """
    counterpart = Organization.__table__.alias("counterpart")
    other_side = (
        Referral.sending_organization_id
        if side == Side.RECEIVER
        else Referral.receiving_organization_id
    )
    columns: dict[str, Any] = {  # SQL expressions
        "id": Referral.id,
        "public_id": Referral.public_id,
        # As its code, without the Enum type's conversion of every row.
        "status": sa.type_coerce(Referral.status, sa.String()),
        # Unread by the receiving organization (bold in the inbox; a read receipt clears it).
        "unread": Referral.first_viewed_at.is_(None),
        "sent_at": Referral.sent_at,
        "response_due_at": Referral.response_due_at,
        "created_at": Referral.created_at,
        # The rule of Referral.is_overdue, at the request's moment.
        "overdue": _is_overdue().self_group(),
        "client_code": Intake.client_code,
        "program_name": Program.name,
        "counterpart": counterpart.c.name,
    }
    lines = (
        sa.select(*(columns[name].label(name) for name in ReferralLine._fields))
        .select_from(Referral)
        .join(Intake, Intake.id == Referral.intake_id)
        .join(Program, Program.id == Referral.program_id)
        .join(counterpart, counterpart.c.id == other_side)
        .where(scope)
    )
    return lines


def _scope(side: Side) -> sa.ColumnElement[bool]:
    if side == Side.RECEIVER:
        return received_in(_ORGANIZATION, _NOW, per_row=True)
    return sent_in(_ORGANIZATION)


def _is_overdue() -> sa.ColumnElement[bool]:
    return sa.and_(Referral.status == ReferralStatus.REQUESTED, Referral.response_due_at < _NOW)


@lru_cache(maxsize=_STATEMENTS_PER_SHAPE)
def _newest_statement(
    side: Side, *, filtered: bool, after: bool, limit: int, mine: bool = False
) -> sa.Select[Any]:
    """Newest first by keyset on (created_at, id)."""
    stmt = (
        _lines(side, _scope(side))
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(_written(limit))
    )
    if filtered:
        stmt = stmt.where(Referral.status == _STATUS)
    if mine:
        stmt = stmt.where(_ASSIGNEE[side] == _ME)
    if after:
        stmt = stmt.where(
            sa.or_(
                Referral.created_at < _AFTER_AT,
                sa.and_(Referral.created_at == _AFTER_AT, Referral.id < _AFTER_ID),
            )
        )
    return _built(stmt)


def _overdue_lines(limit: int) -> sa.Select[Any]:
    """Received and past their answer time, longest overdue first (keyset: due time, id)."""
    return (
        _lines(Side.RECEIVER, _scope(Side.RECEIVER))
        .where(_is_overdue())
        .order_by(Referral.response_due_at, Referral.id)
        .limit(_written(limit))
    )


@lru_cache(maxsize=_STATEMENTS_PER_SHAPE)
def _overdue_statement(*, after: bool, limit: int) -> sa.Select[Any]:
    stmt = _overdue_lines(limit)
    if after:
        stmt = stmt.where(
            sa.or_(
                Referral.response_due_at > _AFTER_AT,
                sa.and_(Referral.response_due_at == _AFTER_AT, Referral.id > _AFTER_ID),
            )
        )
    return _built(stmt)


def _part(number: int) -> sa.Label[Any]:
    return sa.literal_column(str(number)).label("part")


@lru_cache(maxsize=_STATEMENTS_PER_SHAPE)
def _inbox_first_page_statement(
    *, filtered: bool, limit: int, mine: bool = False
) -> sa.CompoundSelect[Any]:
    """The overdue panel and the inbox's first page as one statement, each part marked.

    One statement instead of two: one round trip fewer, and PostgreSQL planned and ran the
    pair faster than apart. Each part keeps its own order and limit inside a subquery
    (SQLite takes no parenthesised SELECT in a UNION). The panel ignores the status filter:
    what is overdue needs an answer whatever the list below shows.
    """
    panel = _overdue_lines(OVERDUE_PANEL_ROWS + 1).add_columns(_part(_PANEL))
    page = _newest_statement(
        Side.RECEIVER, filtered=filtered, mine=mine, after=False, limit=limit
    ).add_columns(_part(_PAGE))
    return _built(sa.union_all(sa.select(panel.subquery()), sa.select(page.subquery())))


def _rows(stmt: sa.Executable, params: dict[str, Any]) -> Sequence[sa.Row[Any]]:
    """The statement's rows, run as Core on the session's connection: the lines are plain
    rows, and the ORM's execution path (autoflush, ORM result) cost a quarter of the
    statement's time. The lists only read, so there is nothing to flush first.
    """
    return db.session.connection().execute(stmt, params).all()


def _params(user: User, size: int, status: ReferralStatus | None = None) -> dict[str, Any]:
    params = {
        "organization_id": user.organization_id,
        "now": utcnow(),
        "limit": size + 1,
        "me": user.id,
    }
    if status is not None:
        params["status"] = status
    return params


def _by_created(line: ReferralLine) -> tuple[datetime, int]:
    return line.created_at, line.id


def _by_due(line: ReferralLine) -> tuple[datetime, int]:
    return cast(datetime, line.response_due_at), line.id  # set on every overdue referral


_WIDTH = len(ReferralLine._fields)  # the inbox's first statement adds the part after them


_EMPTY = ReferralPage(rows=[], next_cursor=None)


def inbox_first_page(
    user: User, *, status: ReferralStatus | None, size: int, mine: bool = False
) -> InboxFirstPage:
    """The overdue panel and the newest ``size`` received referrals (``mine``: assigned to
    the user), from one statement; the panel shows every overdue one: it needs an answer."""
    if not lists_received(user):  # the guard of access.received_referrals()
        return InboxFirstPage(overdue=[], more_overdue=False, page=_EMPTY)
    params = _params(user, size, status)
    statement = _inbox_first_page_statement(
        filtered=status is not None, mine=mine, limit=params["limit"]
    )
    panel: list[ReferralLine] = []
    newest: list[ReferralLine] = []
    for row in _rows(statement, params):
        (panel if row.part == _PANEL else newest).append(ReferralLine._make(row[:_WIDTH]))
    # A UNION ALL promises no order of its own: each part is put back in its own order.
    panel.sort(key=_by_due)
    newest.sort(key=_by_created, reverse=True)
    rows, cursor = split_page(newest, size, _by_created)
    return InboxFirstPage(
        overdue=panel[:OVERDUE_PANEL_ROWS],
        more_overdue=len(panel) > OVERDUE_PANEL_ROWS,
        page=ReferralPage(rows=rows, next_cursor=cursor),
    )


def _page(
    statement_for: Callable[[bool], sa.Executable],
    params: dict[str, Any],
    after: str | None,
    position: Callable[[ReferralLine], tuple[datetime, int]],
) -> ReferralPage:
    """One keyset page: ``statement_for(True)`` continues after the cursor."""
    cursor_at = parse_cursor(after)
    if cursor_at is not None:
        params["after_at"], params["after_id"] = cursor_at
    lines = [ReferralLine._make(row) for row in _rows(statement_for(cursor_at is not None), params)]
    rows, cursor = split_page(lines, params["limit"] - 1, position)
    return ReferralPage(rows=rows, next_cursor=cursor)


def _newest_page(
    side: Side,
    user: User,
    status: ReferralStatus | None,
    after: str | None,
    size: int,
    mine: bool,
) -> ReferralPage:
    params = _params(user, size, status)
    filtered = status is not None
    return _page(
        lambda after_: _newest_statement(
            side, filtered=filtered, mine=mine, after=after_, limit=params["limit"]
        ),
        params,
        after,
        _by_created,
    )


def inbox_page(
    user: User,
    *,
    status: ReferralStatus | None,
    after: str | None,
    size: int,
    mine: bool = False,
) -> ReferralPage:
    """Received referrals newest first, after the cursor (``mine``: assigned to the user)."""
    if not lists_received(user):
        return _EMPTY
    return _newest_page(Side.RECEIVER, user, status, after, size, mine)


def overdue_page(user: User, *, after: str | None, size: int) -> ReferralPage:
    """The overdue queue: received referrals past their answer time, longest overdue first."""
    if not lists_received(user):
        return _EMPTY
    params = _params(user, size)
    return _page(
        lambda after_: _overdue_statement(after=after_, limit=params["limit"]),
        params,
        after,
        _by_due,
    )


def sent_page(
    user: User,
    *,
    status: ReferralStatus | None,
    after: str | None,
    size: int,
    mine: bool = False,
) -> ReferralPage:
    """Referrals my organization sent (drafts included), newest first (``mine``: assigned
    to the user)."""
    if not lists_sent(user):  # the guard of access.sent_referrals()
        return _EMPTY
    return _newest_page(Side.SENDER, user, status, after, size, mine)
