"""Counts for the home pages, scoped to the viewer's organization."""

from __future__ import annotations

import sqlalchemy as sa

from referrals.access import received_referrals, sent_referrals, visible_intakes
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import OPEN_STATUSES, ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral


def referral_counts_by_status(user: User, *, side: str) -> dict[ReferralStatus, int]:
    """Referrals per status that the user may see, received or sent (one query).

    The same rules as the lists: a receiver never counts drafts or referrals no consent
    covers any more, so a count never reveals a record its page would answer 404 for.
    """
    scope = received_referrals(user, utcnow()) if side == "received" else sent_referrals(user)
    stmt = sa.select(Referral.status, sa.func.count()).where(scope).group_by(Referral.status)
    return {status: count for status, count in db.session.execute(stmt)}


def open_intake_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Intake)
            .where(visible_intakes(user), Intake.is_open.is_(True))
        )
        or 0
    )


def assigned_open_count(user: User, *, side: str) -> int:
    """Open referrals assigned to the user on one side ("received" or "sent"), that the
    user may see (one query)."""
    if side == "received":
        scope, assignee = received_referrals(user, utcnow()), Referral.receiver_assignee_id
    else:
        scope, assignee = sent_referrals(user), Referral.sender_assignee_id
    stmt = (
        sa.select(sa.func.count())
        .select_from(Referral)
        .where(scope, assignee == user.id, Referral.status.in_(OPEN_STATUSES))
    )
    return int(db.session.scalar(stmt) or 0)
