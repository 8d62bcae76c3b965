"""Reads of the signed-in user's own notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from referrals.access import visible_referrals
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Notification, Referral
from referrals.notifications.wording import About, what_happened
from referrals.pagination import older_than, split_page
from referrals.programs.models import Organization, Program


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: NotificationKind
    created_at: datetime
    read_at: datetime | None
    public_id: str | None
    status: ReferralStatus | None
    action: str | None = None
    program: str | None = None
    sender: str | None = None
    receiver: str | None = None

    @property
    def text(self) -> str:
        """What happened, naming the referral while the user may still see it."""
        about = None
        if self.public_id and self.program and self.sender and self.receiver:
            about = About(self.public_id, self.program, self.sender, self.receiver)
        return what_happened(self.kind, self.action, about)


@dataclass(frozen=True)
class NotificationPage:
    rows: list[NotificationRow]
    next_cursor: str | None


def _visible_referral(user: User) -> sa.ColumnElement[bool]:
    # A notification keeps pointing at its referral; the referral itself is shown only while
    # the referral page would show it (same rules: no drafts, consent still covering).
    return sa.and_(Referral.id == Notification.referral_id, visible_referrals(user, utcnow()))


def _rows(user: User) -> sa.Select[*tuple[Any, ...]]:
    """The user's notifications, each with its referral (code, program, organizations)
    while the user may see it."""
    sender, receiver = aliased(Organization), aliased(Organization)
    return (
        sa.select(
            Notification.id,
            Notification.kind,
            Notification.created_at,
            Notification.read_at,
            Referral.public_id,
            Referral.status,
            Notification.action,
            Program.name,
            sender.name,
            receiver.name,
        )
        .select_from(Notification)
        .outerjoin(Referral, _visible_referral(user))
        .outerjoin(Program, Program.id == Referral.program_id)
        .outerjoin(sender, sender.id == Referral.sending_organization_id)
        .outerjoin(receiver, receiver.id == Referral.receiving_organization_id)
        .where(Notification.recipient_id == user.id)
    )


def notification_page(user: User, *, after: str | None, size: int) -> NotificationPage:
    """One page of the user's notifications, newest first, by keyset, in one query."""
    stmt = (
        _rows(user).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(size + 1)
    )
    stmt = stmt.where(older_than(Notification.created_at, Notification.id, after))
    rows = [NotificationRow(*row) for row in db.session.execute(stmt)]
    page, cursor = split_page(rows, size, lambda row: (row.created_at, row.id))
    return NotificationPage(rows=page, next_cursor=cursor)


def notification_row(notification_id: int, *, user: User) -> NotificationRow | None:
    """One of the user's notifications, as a row of the list (None for anyone else's)."""
    row = db.session.execute(_rows(user).where(Notification.id == notification_id)).first()
    return NotificationRow(*row) if row else None


def referral_public_id(notification_id: int, *, user: User) -> str | None:
    """The public id of the referral a notification of the user's is about, if still visible."""
    return db.session.scalar(
        sa.select(Referral.public_id)
        .select_from(Notification)
        .join(Referral, _visible_referral(user))
        .where(Notification.id == notification_id, Notification.recipient_id == user.id)
    )
