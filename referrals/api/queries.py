"""The API's referral lists: received or sent, through access.py, paged by keyset.

Ordered by when a referral last changed, oldest first, so a partner system that keeps the
last ``updated_at`` (or cursor) it saw picks up every later change; ``updated_since``
starts there. The scope is access.py's: the same conditions as the inbox and the sent list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import UnprocessableEntity

from referrals import access
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.pagination import encode_cursor, parse_cursor


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
    position = parse_cursor(after)
    if after and position is None:
        # Not silently the first page again: a client looping on it would never finish.
        raise UnprocessableEntity(description=_("This cursor is not one this API gave."))
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
    return Page(rows[:limit], api_cursor(last.updated_at, last.id))


def api_cursor(moment: datetime, ident: int) -> str:
    """pagination's cursor with the UTC offset written "Z": nothing to escape in a URL."""
    return encode_cursor(moment.astimezone(UTC), ident).replace("+00:00", "Z")
