"""The two-person rule for client records.

Administrators never read client records, but they open, reset and move staff accounts; an
administrator could otherwise make themselves a caseworker and sign in as one. So an account
an administrator created, reset or moved into another organization or role waits: it sees no
intake or referral (access.py) until a supervisor of its own organization confirms it. An
organization without a confirmed supervisor yet (a new one) has its accounts confirmed by a
second administrator: never the one who asked. Both steps are audited and notified.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, Role
from referrals.errors import InvalidInput, NotAllowed
from referrals.extensions import db
from referrals.lifecycle.models import Notification

# Supervisors who may confirm their organization's accounts (a waiting one never counts).
_CONFIRMED_SUPERVISOR = sa.and_(
    User.role == Role.SUPERVISOR,
    User.active.is_(True),
    User.awaiting_confirmation_since.is_(None),
)


def _confirmed_supervisors(organization_id: int) -> sa.Select[Any]:
    return sa.select(User.id).where(_CONFIRMED_SUPERVISOR, User.organization_id == organization_id)


def needs_an_administrator(user: User) -> bool:
    """Whether no confirmed supervisor of the account's organization can confirm it."""
    supervisors = _confirmed_supervisors(user.organization_id)
    return not db.session.scalar(sa.select(supervisors.exists()))


def _confirmers(user: User) -> list[int]:
    """Who may confirm the account: its organization's confirmed supervisors, or else every
    active administrator but the one who asked."""
    if not needs_an_administrator(user):
        return list(db.session.scalars(_confirmed_supervisors(user.organization_id)))
    admins = sa.select(User.id).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.confirmation_asked_by_id
    )
    return list(db.session.scalars(admins))


def _notify(recipients: list[int], kind: NotificationKind) -> None:
    db.session.add_all(Notification(recipient_id=ident, kind=kind) for ident in recipients)


def ask_confirmation(user: User, *, by: User, why: str) -> None:
    """An administrator created, reset or moved ``user``: it waits for a confirmation."""
    if user.role == Role.ADMIN:
        return  # administrators see no client records whatever happens
    user.awaiting_confirmation_since = utcnow()
    user.confirmation_asked_by_id = by.id
    db.session.flush()
    audit.record(
        "account.confirmation_requested",
        actor=by,
        object_type="user",
        object_id=user.id,
        detail={"why": why, "organization_id": user.organization_id},
    )
    _notify(_confirmers(user), NotificationKind.ACCOUNT_WAITING)
    db.session.flush()


def may_confirm(user: User, *, by: User) -> bool:
    """Whether ``by`` may confirm ``user`` now."""
    if not user.awaiting_confirmation or by.id in (user.id, user.confirmation_asked_by_id):
        return False
    if by.awaiting_confirmation or not by.active:
        return False
    if by.role == Role.ADMIN:
        return needs_an_administrator(user)
    return by.role == Role.SUPERVISOR and by.organization_id == user.organization_id


def confirm(user: User, *, by: User) -> None:
    """Let ``user`` see its organization's records from now on."""
    if not user.awaiting_confirmation:
        raise InvalidInput(_("This account is not waiting for confirmation."))
    if not may_confirm(user, by=by):
        raise NotAllowed(f"user {by.id} may not confirm user {user.id}")
    user.awaiting_confirmation_since = None
    user.confirmation_asked_by_id = None
    db.session.flush()
    audit.record(
        "account.confirmed",
        actor=by,
        object_type="user",
        object_id=user.id,
        detail={"organization_id": user.organization_id},
    )
    _notify([user.id], NotificationKind.ACCOUNT_CONFIRMED)
    db.session.flush()


def waiting_for(by: User) -> list[User]:
    """The accounts ``by`` may confirm now, longest waiting first (one statement)."""
    if by.awaiting_confirmation or by.role not in (Role.SUPERVISOR, Role.ADMIN):
        return []
    waiting = sa.select(User).where(
        User.awaiting_confirmation_since.is_not(None),
        User.id != by.id,
        sa.or_(User.confirmation_asked_by_id.is_(None), User.confirmation_asked_by_id != by.id),
    )
    if by.role == Role.SUPERVISOR:
        waiting = waiting.where(User.organization_id == by.organization_id)
    else:  # administrators confirm only where no supervisor can
        supervised = sa.select(User.organization_id).where(_CONFIRMED_SUPERVISOR)
        waiting = waiting.where(User.organization_id.not_in(supervised))
    ordered = waiting.options(joinedload(User.organization)).order_by(
        User.awaiting_confirmation_since, User.id
    )
    return list(db.session.scalars(ordered))
