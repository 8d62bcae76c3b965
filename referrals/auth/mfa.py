"""Two-step sign-in: TOTP codes (RFC 6238), each accepted once, and hashed recovery codes."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from referrals.auth.models import RecoveryCode, User
from referrals.db_types import random_code, utcnow
from referrals.demo_data import DEMO_TOTP_SECRET
from referrals.enums import Role
from referrals.extensions import db

TOTP_PERIOD = 30
# One step either side absorbs clock drift between the phone and the server.
_DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# Five groups of five unambiguous characters: about 124 bits, so a plain SHA-256 is a safe
# way to store them (ASVS 2.6.2 asks for 112 bits).
_RECOVERY_GROUPS = 5
MFA_REQUIRED_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def is_required(user: User) -> bool:
    """Supervisors and admins always; everyone in an organization that asks for it."""
    return user.role in MFA_REQUIRED_ROLES or user.organization.require_mfa


def current_step(now: datetime | None = None) -> int:
    return int((now or utcnow()).timestamp()) // TOTP_PERIOD


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).at(step * TOTP_PERIOD)


def begin_enrolment(user: User) -> str:
    """Give the user a new key, pending until a code from it is confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.mfa_enrolled_at = None
    user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    secret = user.totp_secret or ""
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).provisioning_uri(
        name=user.email, issuer_name=current_app.config["TOTP_ISSUER"]
    )


def qr_data_uri(user: User) -> str:
    """The enrolment QR code as an SVG data URI, drawn here: the key never leaves the server."""
    return str(segno.make(provisioning_uri(user), error="m").svg_data_uri(scale=5, border=2))


def _normalize_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def accept_totp(user: User, code: str, now: datetime | None = None) -> bool:
    """True when ``code`` is valid now and has not been used; marks its step used.

    The step is claimed with a conditional UPDATE, so two requests with the same code at
    the same moment cannot both succeed.
    """
    digits = _normalize_code(code)
    if not user.totp_secret or len(digits) != 6 or not digits.isdigit():
        return False
    if _published_demo_key(user) and not _demo_key_allowed(user):
        return False
    step_now = current_step(now)
    for step in range(step_now - _DRIFT_STEPS, step_now + _DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at_step(user.totp_secret, step), digits):
            claimed = db.session.execute(
                sa.update(User)
                .where(
                    User.id == user.id,
                    sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0):
                user.totp_last_step = step
                return True
            return False
    return False


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Finish enrolment with a first valid code; returns new recovery codes, or None."""
    if user.totp_secret is None or not accept_totp(user, code):
        return None
    user.mfa_enrolled_at = utcnow()
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Remove the key and the recovery codes (a new enrolment starts from scratch)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enrolled_at = None
    db.session.execute(
        sa.delete(RecoveryCode)
        .where(RecoveryCode.user_id == user.id)
        .execution_options(synchronize_session=False)
    )


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalize_code(code).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned to show once."""
    db.session.execute(
        sa.delete(RecoveryCode)
        .where(RecoveryCode.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    codes = [random_code(_RECOVERY_GROUPS, 5) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)) for code in codes
    )
    db.session.flush()
    return codes


def accept_recovery_code(user: User, code: str) -> bool:
    """Use up one recovery code; each works once."""
    if len(_normalize_code(code)) < 10:
        return False
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(used, "rowcount", 0))


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def _published_demo_key(user: User) -> bool:
    return user.totp_secret == DEMO_TOTP_SECRET


def _demo_key_allowed(user: User) -> bool:
    """The published demo key opens an invented demo account where the demo may run only.

    Nowhere else: not in production (a database seeded in development and then served in
    production), not for a real account that somehow holds it.
    """
    return user.is_demo and bool(current_app.config.get("DEMO_ALLOWED"))


def demo_code(user: User) -> str | None:
    """For invented demo accounts only: the next code their shared demo key would show."""
    if not user.mfa_enabled or user.totp_secret is None or not _demo_key_allowed(user):
        return None
    step = max(current_step(), (user.totp_last_step or 0) + 1)
    if step > current_step() + _DRIFT_STEPS:
        return None
    return code_at_step(user.totp_secret, step)
