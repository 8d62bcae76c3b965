"""Sign-in attempts counted per e-mail address in the database, so every worker sees them.

After LOGIN_LOCKOUT_THRESHOLD failures within LOGIN_LOCKOUT_WINDOW_MINUTES the address is
locked for LOGIN_LOCKOUT_MINUTES: even the right password is refused until then. Unknown
addresses are counted and locked exactly like real ones, so a lockout reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from referrals.auth.models import LoginThrottle
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.operations import metrics


def email_digest(email: str) -> str:
    """A keyed hash of the normalized address: the table holds no e-mail addresses."""
    key = f"login-throttle:{current_app.config['SECRET_KEY']}".encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def locked_until(email: str, now: datetime | None = None) -> datetime | None:
    """When the lockout on this address ends, or None when it is not locked."""
    moment = now or utcnow()
    until = db.session.scalar(
        sa.select(LoginThrottle.locked_until).where(
            LoginThrottle.email_digest == email_digest(email)
        )
    )
    return until if until is not None and until > moment else None


def _count_attempt(digest: str, now: datetime, window_start: datetime) -> None:
    """Count one attempt atomically; a count older than the window starts again at 1.

    A lockout still running is never reset by the window, or waiting out the window
    during a lockout would lift it early.
    """
    stale = sa.and_(
        LoginThrottle.first_failure_at < window_start,
        sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
    )
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(LoginThrottle).values(email_digest=digest, failures=1, first_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.email_digest],
        set_={
            "failures": sa.case((stale, 1), else_=LoginThrottle.failures + 1),
            "first_failure_at": sa.case((stale, now), else_=LoginThrottle.first_failure_at),
            "locked_until": sa.case((stale, None), else_=LoginThrottle.locked_until),
        },
    )
    db.session.execute(statement)


def _lock(digest: str, now: datetime, *, more_than: int) -> datetime | None:
    """Start a lockout when more than ``more_than`` attempts were counted and none runs yet.

    A conditional UPDATE: of several requests at once, exactly one starts it (and audits it).
    """
    config = current_app.config
    until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    started = db.session.execute(
        sa.update(LoginThrottle)
        .where(
            LoginThrottle.email_digest == digest,
            LoginThrottle.failures > more_than,
            sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    if not getattr(started, "rowcount", 0):
        return None
    metrics.lockout_started()
    return until


def begin_attempt(email: str, now: datetime | None = None) -> datetime | None:
    """Count an attempt *before* checking it; returns the lockout end when it must be refused.

    Counting first means requests sent in parallel cannot all pass a check made before any of
    them failed: only the first LOGIN_LOCKOUT_THRESHOLD of a window are ever verified.
    A success calls ``clear``; a failure calls ``record_failure``.
    """
    config = current_app.config
    moment = now or utcnow()
    digest = email_digest(email)
    _count_attempt(
        digest, moment, moment - timedelta(minutes=config["LOGIN_LOCKOUT_WINDOW_MINUTES"])
    )
    row = db.session.execute(
        sa.select(LoginThrottle.failures, LoginThrottle.locked_until).where(
            LoginThrottle.email_digest == digest
        )
    ).one()
    until: datetime | None = None
    if row.locked_until is not None and row.locked_until > moment:
        until = row.locked_until
    elif row.failures > config["LOGIN_LOCKOUT_THRESHOLD"]:
        until = _lock(digest, moment, more_than=config["LOGIN_LOCKOUT_THRESHOLD"]) or (
            locked_until(email, moment) or moment
        )
    if until is not None:
        metrics.sign_in_failed(locked=True)
    return until


def record_failure(email: str, now: datetime | None = None) -> datetime | None:
    """The attempt counted by ``begin_attempt`` failed; returns the lockout end if this
    failure used up the last allowed attempt (the next one, even right, is refused)."""
    moment = now or utcnow()
    threshold = current_app.config["LOGIN_LOCKOUT_THRESHOLD"]
    metrics.sign_in_failed(locked=False)
    return _lock(email_digest(email), moment, more_than=threshold - 1)


def clear(email: str) -> None:
    """Forget the failures of this address (after a successful sign-in or an admin reset)."""
    db.session.execute(
        sa.delete(LoginThrottle)
        .where(LoginThrottle.email_digest == email_digest(email))
        .execution_options(synchronize_session=False)
    )


def minutes_left(until: datetime, now: datetime | None = None) -> int:
    """Whole minutes to wait, rounded up, at least 1."""
    seconds = (until - (now or utcnow())).total_seconds()
    return max(1, int(-(-seconds // 60)))
