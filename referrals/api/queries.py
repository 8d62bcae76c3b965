"""The API's referral lists: received or sent, through access.py, paged by keyset.

Ordered by when a referral last changed, oldest first, so a partner system that keeps the
last ``updated_at`` (or cursor) it saw picks up every later change; ``updated_since``
starts there. The scope is access.py's: the same conditions as the inbox and the sent list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from referrals import access
from referrals.api import cursors
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral


@dataclass(frozen=True)
class Page:
    items: list[Referral]
    next_cursor: str | None


def referral_page(
    user: User,
    *,
    received: bool,
    status: ReferralStatus | None = None,
    updated_since: datetime | None = None,
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """One page of the referrals the user's organization received (or sent)."""
    scope = access.received_referrals(user, utcnow()) if received else access.sent_referrals(user)
    stmt = (
        sa.select(Referral)
        .where(scope)
        .options(
            joinedload(Referral.program),
            joinedload(Referral.intake),
            joinedload(Referral.sending_organization),
            joinedload(Referral.receiving_organization),
        )
        .order_by(Referral.updated_at, Referral.id)
        .limit(limit + 1)
    )
    if status is not None:
        stmt = stmt.where(Referral.status == status)
    if updated_since is not None:
        stmt = stmt.where(Referral.updated_at >= updated_since)
    position = cursors.decode(after)
    if position is not None:
        moment, ident = position
        stmt = stmt.where(
            sa.or_(
                Referral.updated_at > moment,
                sa.and_(Referral.updated_at == moment, Referral.id > ident),
            )
        )
    rows = list(db.session.scalars(stmt).unique())
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], cursors.encode(last.updated_at, last.id))
