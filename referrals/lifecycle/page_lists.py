"""What the referral page lists, read in one statement: its timeline, the thread between the
two organizations, the staff it may be assigned to, and the programs the receiver may suggest
or forward it to.

Each list is one branch of a UNION ALL with the same columns (a branch leaves the ones it has
no use for empty) and its own order as a row number. Four lists in one round trip keep the
page at a fixed number of statements, whatever the number of events, messages, staff and
programs; the branches a viewer has no use for are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from referrals import access
from referrals.auth.models import User
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral, ReferralEvent, ReferralMessage
from referrals.lifecycle.transitions import Side
from referrals.postgresql import prepared
from referrals.programs.models import Organization, Program
from referrals.programs.queries import choosable_programs
from referrals.tokens.models import ApiToken


class Line(NamedTuple):
    """One line of one list; the fields a list has no use for are None."""

    part: str  # "event", "message", "staff" or "program"
    id: int
    at: datetime | None  # when an event happened or a message was written
    kind: str | None  # an event's kind
    from_status: ReferralStatus | None
    to_status: ReferralStatus | None
    reason: str | None
    text: str | None  # an event's note, a message's body
    name: str | None  # the actor, the author, the member of staff, the program
    organization: str | None  # the actor's or the program's organization
    organization_id: int | None  # the message author's organization then; the program's
    token: str | None  # the API token an event was made through
    position: int


@dataclass
class PageLists:
    timeline: list[Line] = field(default_factory=list)
    thread: list[Line] = field(default_factory=list)
    staff: list[Line] = field(default_factory=list)
    programs: list[Line] = field(default_factory=list)


def _row(part: str, *columns: Any) -> list[sa.ColumnElement[Any]]:
    """The branch's columns in ``Line``'s order: its name first, None for an empty one."""
    names = Line._fields[1:]
    return [
        sa.literal_column(f"'{part}'").label("part"),
        *(
            (sa.null() if column is None else column).label(name)
            for name, column in zip(names, columns, strict=True)
        ),
    ]


_REFERRAL = sa.bindparam("referral_id", type_=sa.Integer())
_PROGRAM = sa.bindparam("program_id", type_=sa.Integer())  # the referral's, left out
_ORGANIZATION = sa.bindparam("organization_id", type_=sa.Integer())  # the user's side's


def _events() -> sa.Select[Any]:
    actor = aliased(User)
    actor_organization = aliased(Organization)
    return (
        sa.select(
            *_row(
                "event",
                ReferralEvent.id,
                ReferralEvent.occurred_at,
                ReferralEvent.kind,
                ReferralEvent.from_status,
                ReferralEvent.to_status,
                ReferralEvent.reason,
                ReferralEvent.note,
                actor.display_name,
                actor_organization.name,
                None,
                ApiToken.name,
                sa.func.row_number().over(order_by=ReferralEvent.id),
            )
        )
        .outerjoin(actor, actor.id == ReferralEvent.actor_id)
        .outerjoin(actor_organization, actor_organization.id == actor.organization_id)
        .outerjoin(ApiToken, ApiToken.id == ReferralEvent.api_token_id)
        .where(ReferralEvent.referral_id == _REFERRAL)
    )


def _messages() -> sa.Select[Any]:
    return (
        sa.select(
            *_row(
                "message",
                ReferralMessage.id,
                ReferralMessage.created_at,
                None,
                None,
                None,
                None,
                ReferralMessage.body,
                User.display_name,
                None,
                ReferralMessage.organization_id,
                None,
                sa.func.row_number().over(order_by=ReferralMessage.id),
            )
        )
        .join(User, User.id == ReferralMessage.author_id)
        .where(ReferralMessage.referral_id == _REFERRAL)
    )


def _staff(side: Side) -> sa.Select[Any]:
    """The side's active staff, whom the referral may be assigned to, by name."""
    return sa.select(
        *_row(
            "staff",
            User.id,
            *(None,) * 6,
            User.display_name,
            None,
            None,
            None,
            sa.func.row_number().over(order_by=(User.display_name, User.id)),
        )
    ).where(access.staff_in(_ORGANIZATION, side), User.active.is_(True))


def _programs() -> sa.Select[Any]:
    """Programs taking referrals but this one's, as the choices order them."""
    return (
        choosable_programs(but=_PROGRAM)
        .order_by(None)
        .with_only_columns(
            *_row(
                "program",
                Program.id,
                *(None,) * 6,
                Program.name,
                Organization.name,
                Program.organization_id,
                None,
                sa.func.row_number().over(order_by=(Organization.name, Program.name)),
            )
        )
    )


@cache  # one statement per shape: at most 2 sides x with or without programs, and none
def _statement(side: Side | None, programs: bool) -> sa.CompoundSelect[Any]:
    branches = [_events()]
    if side is not None:
        branches += [_messages(), _staff(side)]
    if programs:
        branches.append(_programs())
    # Prepared: a lookup by the referral's key, its side's staff and the small directory;
    # the plan does not depend on the values.
    return prepared(sa.union_all(*branches).order_by(sa.column("part"), sa.column("position")))


def page_lists(referral: Referral, side: Side | None, *, programs: bool) -> PageLists:
    """The timeline always; the thread and the staff for a user on one of its sides; the
    programs when ``programs`` (a receiver that may decline with a suggestion or forward)."""
    organization = (
        referral.receiving_organization_id
        if side is Side.RECEIVER
        else referral.sending_organization_id
    )
    rows = db.session.execute(
        _statement(side, programs),
        {
            "referral_id": referral.id,
            "program_id": referral.program_id,
            "organization_id": organization,
        },
    )
    lists = PageLists()
    by_part = {
        "event": lists.timeline,
        "message": lists.thread,
        "staff": lists.staff,
        "program": lists.programs,
    }
    for row in rows:
        line = Line._make(row)
        by_part[line.part].append(line)
    return lists
