"""Reads of referrals, scoped in SQL to what the viewer's organization may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

SENDER_ROLES = SIDE_ROLES[Side.SENDER]
RECEIVER_ROLES = SIDE_ROLES[Side.RECEIVER]


def _consent_covers_receiver(moment: Any, *, per_row: bool = False) -> sa.ColumnElement[bool]:
    """An active consent of the referral's intake names the receiving organization.

    ``per_row`` keeps the check a per-row probe: PostgreSQL does not turn an EXISTS with an
    OFFSET into a join. A page of 50 lines wants exactly that (two index probes a line,
    stopped with the page); as a join, a plan made without the values (the lists' generic
    plan) guessed few consents cover a referral and hashed all of an organization's
    consents for every page: 7 ms at 10,000 referrals where the probes take 2.
    """
    check = (
        sa.select(Consent.id)
        .join(consent_organizations, consent_organizations.c.consent_id == Consent.id)
        .where(
            Consent.intake_id == Referral.intake_id,
            consent_organizations.c.organization_id == Referral.receiving_organization_id,
            Consent.revoked_at.is_(None),
            Consent.given_at <= moment,
            Consent.expires_at > moment,
        )
    )
    if per_row:
        check = check.offset(sa.literal_column("0"))
    return check.exists()


def received_in(
    organization_id: Any, moment: Any, *, per_row: bool = False
) -> sa.ColumnElement[bool]:
    """The rule of ``received_by`` for an organization id (a value or a bound parameter);
    ``per_row``: see ``_consent_covers_receiver``."""
    return sa.and_(
        Referral.receiving_organization_id == organization_id,
        Referral.status != ReferralStatus.DRAFT,
        _consent_covers_receiver(moment, per_row=per_row),
    )


def received_by(user: User, moment: datetime) -> sa.ColumnElement[bool]:
    """Referrals the user's organization received, sent, and still covered by consent."""
    if user.role not in RECEIVER_ROLES:
        return sa.false()
    return received_in(user.organization_id, moment)


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


def can_use_inbox(user: User) -> bool:
    return user.role in RECEIVER_ROLES and user.organization.receives


def can_use_sent_list(user: User) -> bool:
    return user.role in SENDER_ROLES and user.organization.refers
