"""Counts for the home pages, scoped to the viewer's organization."""

from __future__ import annotations

import sqlalchemy as sa

from referrals.auth.models import User
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral


def referral_counts_by_status(
    *, received_by: int | None = None, sent_by: int | None = None
) -> dict[ReferralStatus, int]:
    """Referrals per status, for one receiving or one sending organization (one query)."""
    stmt = sa.select(Referral.status, sa.func.count()).group_by(Referral.status)
    if received_by is not None:
        stmt = stmt.where(Referral.receiving_organization_id == received_by)
    if sent_by is not None:
        stmt = stmt.where(Referral.sending_organization_id == sent_by)
    if received_by is None and sent_by is None:
        raise ValueError("counts must be scoped to an organization")
    return {status: count for status, count in db.session.execute(stmt)}


def open_intake_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Intake)
            .where(Intake.organization_id == user.organization_id, Intake.is_open.is_(True))
        )
        or 0
    )
