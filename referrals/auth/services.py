"""Verbs for staff accounts: authenticate, sign out, change password."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.auth.passwords import hash_password, needs_rehash, verify_password
from referrals.db_types import utcnow
from referrals.extensions import db


class PasswordPolicyError(ValueError):
    """A new password that the policy refuses; the message says why."""


class WrongPasswordError(ValueError):
    """The current password given to confirm a change is not the user's."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def authenticate(*, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; every attempt is audited.

    The caller shows one message for every failure, so nobody learns which e-mail
    addresses have accounts or which accounts are switched off.
    """
    user = find_user_by_email(email.strip())
    password_ok = verify_password(user, password)  # hashes even when there is no such user
    if user is None or not password_ok:
        audit.record(
            "login.failure",
            object_type="user",
            object_id=user.id if user else "",
            detail={"reason": "bad_credentials" if user else "unknown_account"},
        )
        return None
    if not user.is_active:
        audit.record(
            "login.failure",
            object_type="user",
            object_id=user.id,
            detail={"reason": "inactive"},
        )
        return None
    if needs_rehash(user):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record("login.success", actor=user, object_type="user", object_id=user.id)
    return user


def end_sessions(user: User) -> None:
    """Make every existing session cookie of this user stale."""
    user.session_version += 1


def check_password_policy(password: str, *, user: User) -> None:
    """Raise PasswordPolicyError unless ``password`` is acceptable (NIST SP 800-63B)."""
    config = current_app.config
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        raise PasswordPolicyError(
            _(
                "Use at least %(n)d characters; a few words in a row work well.",
                n=config["PASSWORD_MIN_LENGTH"],
            )
        )
    if len(password) > config["PASSWORD_MAX_LENGTH"]:
        raise PasswordPolicyError(
            _("Use at most %(n)d characters.", n=config["PASSWORD_MAX_LENGTH"])
        )
    if password.strip().lower() == user.email.lower():
        raise PasswordPolicyError(_("The password must not be your e-mail address."))


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions end."""
    if not verify_password(user, current):
        raise WrongPasswordError(_("The current password is not correct."))
    if current == new:
        raise PasswordPolicyError(_("Choose a password different from the current one."))
    check_password_policy(new, user=user)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id)
