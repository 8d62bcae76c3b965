"""Verbs on API tokens: make one (shown once), revoke one, find the one a request carries."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import Role, TokenScope
from referrals.errors import InvalidInput, NotAllowed, NotFound
from referrals.extensions import db
from referrals.programs.models import Organization
from referrals.tokens.models import ApiToken

# Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "kcr_"  # noqa: S105  (a recognisable prefix, not a secret)
# How long a token may live, in days: the form offers these.
LIFETIMES = (30, 90, 180, 365)

# The role a token acts with, per side of a referral (docs/API.md has the table).
SIDES: dict[Role, object] = {
    Role.PARTNER: _l("Receiving side: referrals received, with a partner's rights"),
    Role.CASEWORKER: _l("Sending side: referrals sent, with a caseworker's rights"),
    Role.SUPERVISOR: _l("Both sides, with a supervisor's rights"),
}


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (the token has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


def sides_for(organization: Organization) -> list[Role]:
    """The roles a token of this organization may act with (its side of referrals)."""
    sides = []
    if organization.receives:
        sides.append(Role.PARTNER)
    if organization.refers:
        sides.append(Role.CASEWORKER)
    if organization.receives or organization.refers:
        sides.append(Role.SUPERVISOR)
    return sides


def may_hold_tokens(user: User) -> bool:
    """A confirmed, active supervisor (the two-person rule: a waiting one makes none)."""
    return user.role == Role.SUPERVISOR and user.active and not user.awaiting_confirmation


def create_token(
    *, by: User, name: str, role: Role, scope: TokenScope, days: int
) -> tuple[ApiToken, str]:
    """Make a token for ``by``'s organization; returns the row and the token (shown once)."""
    if not may_hold_tokens(by):
        raise NotAllowed(f"user {by.id} may not make API tokens")
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Say what the token is for."))
    if role not in sides_for(by.organization):
        raise InvalidInput(_("Choose a side your organization works on."))
    if days not in LIFETIMES:
        raise InvalidInput(_("Choose how long the token lives from the list."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        organization_id=by.organization_id,
        created_by_id=by.id,
        name=name[:80],
        token_hash=digest(secret),
        prefix=secret[:12],
        role=role,
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created",
        actor=by,
        object_type="api_token",
        object_id=token.id,
        detail={"role": role.value, "scope": scope.value, "days": days},
    )
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """The user's organization's tokens, newest first (with who made each)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.organization_id == user.organization_id)
            .options(joinedload(ApiToken.created_by))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token_id: int, *, by: User) -> ApiToken:
    """Revoke one of the organization's tokens (another organization's does not exist)."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.organization_id == by.organization_id
        )
    )
    if token is None:
        raise NotFound(token_id)
    if by.role != Role.SUPERVISOR:
        raise NotAllowed(f"user {by.id} may not revoke API tokens")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = by.id
        db.session.flush()
        audit.record("api_token.revoked", actor=by, object_type="api_token", object_id=token.id)
    return token


def live_token(secret: str, now: datetime) -> ApiToken | None:
    """The token with this value, if it works now: live, its organization active, and its
    maker still an active, confirmed supervisor of that organization (one query)."""
    maker = aliased(User)
    return db.session.scalar(
        sa.select(ApiToken)
        .join(Organization, Organization.id == ApiToken.organization_id)
        .join(maker, maker.id == ApiToken.created_by_id)
        .where(
            ApiToken.token_hash == digest(secret),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            Organization.active.is_(True),
            maker.active.is_(True),
            maker.role == Role.SUPERVISOR,
            maker.organization_id == ApiToken.organization_id,
            maker.awaiting_confirmation_since.is_(None),
        )
        .options(joinedload(ApiToken.organization))
    )
