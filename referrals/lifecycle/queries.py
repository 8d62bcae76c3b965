"""Reads of referrals, scoped in SQL to what the viewer's organization may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Consent, consent_organizations
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import SIDE_ROLES, Side
from referrals.pagination import older_than, split_page

SENDER_ROLES = SIDE_ROLES[Side.SENDER]
RECEIVER_ROLES = SIDE_ROLES[Side.RECEIVER]


def _consent_covers_receiver(moment: datetime) -> sa.ColumnElement[bool]:
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


def received_by(user: User, moment: datetime) -> sa.ColumnElement[bool]:
    """Referrals the user's organization received, sent, and still covered by consent."""
    if user.role not in RECEIVER_ROLES:
        return sa.false()
    return sa.and_(
        Referral.receiving_organization_id == user.organization_id,
        Referral.status != ReferralStatus.DRAFT,
        _consent_covers_receiver(moment),
    )


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


@dataclass(frozen=True)
class ReferralPage:
    rows: list[Referral]
    next_cursor: str | None


def _page(
    scope: sa.ColumnElement[bool], *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    """Newest first by keyset on (created_at, id): the cost does not grow with the page number."""
    stmt = (
        sa.select(Referral)
        .where(scope)
        .options(
            joinedload(Referral.program),
            joinedload(Referral.intake),
            joinedload(Referral.receiving_organization),
            joinedload(Referral.sending_organization),
        )
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(size + 1)
    )
    if status is not None:
        stmt = stmt.where(Referral.status == status)
    stmt = stmt.where(older_than(Referral.created_at, Referral.id, after))
    rows, cursor = split_page(
        list(db.session.scalars(stmt).unique()), size, lambda row: (row.created_at, row.id)
    )
    return ReferralPage(rows=rows, next_cursor=cursor)


def overdue_received(user: User, *, limit: int) -> list[Referral]:
    """Requested referrals past their response time, oldest due first."""
    now = utcnow()
    stmt = (
        sa.select(Referral)
        .where(received_by(user, now))
        .where(Referral.status == ReferralStatus.REQUESTED, Referral.response_due_at < now)
        .options(
            joinedload(Referral.program),
            joinedload(Referral.intake),
            joinedload(Referral.sending_organization),
        )
        .order_by(Referral.response_due_at, Referral.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def inbox_page(
    user: User, *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    return _page(received_by(user, utcnow()), status=status, after=after, size=size)


def sent_page(
    user: User, *, status: ReferralStatus | None, after: str | None, size: int
) -> ReferralPage:
    return _page(sent_by(user), status=status, after=after, size=size)


def can_use_inbox(user: User) -> bool:
    return user.role in RECEIVER_ROLES and user.organization.receives


def can_use_sent_list(user: User) -> bool:
    return user.role in SENDER_ROLES and user.organization.refers
