"""Server-side sessions: the cookie holds a random token, the database holds the session.

Flask's own session is a signed cookie: anyone holding a copy stays signed in until it
expires. Here the cookie only names a ``user_sessions`` row (by the SHA-256 of a random
token), and that row decides: ended at logout, at a password change or deactivation, after
15 minutes without a request and 12 hours after sign-in, whatever the cookie says.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, g, request, session
from flask_login import login_user
from sqlalchemy.orm.attributes import set_committed_value

from referrals.auth.models import User, UserSession
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.notifications.services import capped_unread_count
from referrals.postgresql import prepared
from referrals.programs.models import Organization

SESSION_TOKEN_KEY = "sid"  # noqa: S105  (a session key name, not a secret)
# Writing last_seen_at on every request would turn every page view into a write; once a
# minute is precise enough for a 15-minute idle timeout.
_TOUCH_INTERVAL = timedelta(seconds=60)
# Requests a page makes by itself (no person behind them): they never restart the idle clock.
_NOT_ACTIVITY = frozenset({"auth.session_status"})


class EndReason(StrEnum):
    LOGOUT = "logout"
    IDLE = "idle"
    ABSOLUTE = "absolute"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason code)
    DEACTIVATED = "deactivated"
    ENDED_BY_ADMIN = "ended_by_admin"
    SECURITY_CHANGE = "security_change"


@dataclass(frozen=True)
class Limits:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls) -> Limits:
        config = current_app.config
        return cls(
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            absolute=timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]),
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> UserSession:
    """Sign ``user`` in with a brand-new session (a new identifier at every sign-in)."""
    session.clear()  # nothing from before sign-in, or planted by someone else, carries over
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=_digest(token), user_id=user.id)
    db.session.add(row)
    db.session.flush()
    session[SESSION_TOKEN_KEY] = token
    login_user(user)
    g.user_session = row
    return row


def expiry_reason(row: UserSession, now: datetime, limits: Limits) -> EndReason | None:
    """Why this session is no longer valid at ``now``, or None while it is."""
    if row.ended_at is not None:
        known = {reason.value for reason in EndReason}
        return EndReason(row.end_reason) if row.end_reason in known else EndReason.LOGOUT
    if now - row.created_at >= limits.absolute:
        return EndReason.ABSOLUTE
    if now - row.last_seen_at >= limits.idle:
        return EndReason.IDLE
    return None


# The session row, its user, the user's organization and the unread count in one
# statement: every signed-in request needs all four (the loader checks the user,
# ``is_active`` the organization, the layout shows the count). Selected as three entities,
# not through joinedload: row.user and user.organization then come from the identity map
# (set below), and the eager loader's per-execution set-up cost a third of the statement's
# time. Prepared (postgresql.py): a lookup by a unique key and three primary keys, which
# PostgreSQL spent longer planning than running; it goes to the generic plan by itself.
_SESSION_WITH_USER = prepared(
    sa.select(
        UserSession,
        User,
        Organization,
        capped_unread_count(sa.bindparam("user_id", type_=sa.Integer())),
    )
    .join(User, User.id == UserSession.user_id)
    .join(Organization, Organization.id == User.organization_id)
    .where(UserSession.token_hash == sa.bindparam("token_hash"))
)


def _session_with_user(
    token_hash: str, user_id: int
) -> tuple[UserSession, User, Organization, int] | None:
    """The session row, its user and organization and the unread count, or None."""
    found = db.session.execute(
        _SESSION_WITH_USER, {"token_hash": token_hash, "user_id": user_id}
    ).one_or_none()
    if found is None:
        return None
    row, user, organization, unread = found
    return row, user, organization, unread


def validate(user_id: int) -> UserSession | None:
    """The live session row behind this request's cookie for ``user_id``, or None.

    A valid session is touched (at most once a minute) and committed at once: this runs
    when the request starts, before the view has changed anything. The commit expires the
    user and organization loaded with the row; they are read again on that request only.
    """
    token = session.get(SESSION_TOKEN_KEY)
    if not isinstance(token, str) or not token:
        return None
    found = _session_with_user(_digest(token), user_id)
    if found is None or found[0].user_id != user_id:
        return None
    row, user, organization, g.unread_notifications = found
    # What joinedload would have done: the identity map holds objects weakly, so without
    # these references the user and organization were gone (and read again) by the time
    # the loader asked for them.
    set_committed_value(row, "user", user)
    set_committed_value(user, "organization", organization)
    now = utcnow()
    reason = expiry_reason(row, now, Limits.from_config())
    if reason is not None:
        g.session_end_reason = reason
        if row.ended_at is None:
            _end(row, reason, now)
            db.session.commit()
        return None
    # The timeout page's own check is not activity, or an open tab would keep itself alive.
    if now - row.last_seen_at >= _TOUCH_INTERVAL and request.endpoint not in _NOT_ACTIVITY:
        row.last_seen_at = now
        db.session.commit()
    g.user_session = row
    return row


def extend() -> UserSession | None:
    """Restart the idle clock of the current session now (the warning's one action)."""
    row: UserSession | None = g.get("user_session")
    if row is not None:
        row.last_seen_at = utcnow()
    return row


def _end(row: UserSession, reason: EndReason, now: datetime) -> None:
    row.ended_at = now
    row.end_reason = reason.value


def end_current(reason: EndReason = EndReason.LOGOUT) -> None:
    """End this browser's session (the caller commits)."""
    row: UserSession | None = g.get("user_session")
    if row is not None and row.ended_at is None:
        _end(row, reason, utcnow())


def end_all(user: User, reason: EndReason, *, keep: UserSession | None = None) -> int:
    """End every open session of ``user`` (but ``keep``); returns how many were open."""
    condition = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep.id)
    result = db.session.execute(
        sa.update(UserSession)
        .where(*condition)
        .values(ended_at=utcnow(), end_reason=reason.value)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def seconds_left(row: UserSession, now: datetime | None = None) -> int:
    """Seconds until the idle or the absolute timeout, whichever comes first."""
    limits = Limits.from_config()
    moment = now or utcnow()
    ends = min(row.last_seen_at + limits.idle, row.created_at + limits.absolute)
    return max(0, int((ends - moment).total_seconds()))


def end_others(user: User, reason: EndReason = EndReason.SECURITY_CHANGE) -> int:
    """End every open session of ``user`` but this browser's (after a security change)."""
    return end_all(user, reason, keep=g.get("user_session"))
