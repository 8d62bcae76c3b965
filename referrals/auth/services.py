"""Verbs for staff accounts: authenticate, sign out, change password."""

from __future__ import annotations

from functools import cache
from itertools import pairwise

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from referrals.audit import services as audit
from referrals.auth import sessions, throttle
from referrals.auth.models import User
from referrals.auth.passwords import hash_password, needs_rehash, verify_password
from referrals.auth.sessions import EndReason
from referrals.db_types import utcnow
from referrals.extensions import db


class PasswordPolicyError(ValueError):
    """A new password that the policy refuses; the message says why."""


class WrongPasswordError(ValueError):
    """The current password given to confirm a change is not the user's."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))


def check_credentials(*, email: str, password: str) -> User | None:
    """The active user with these credentials, or None; each failure is audited.

    The caller shows one message for every failure, so nobody learns which e-mail
    addresses have accounts or which accounts are switched off. Success is audited by
    ``complete_login`` once any second step has passed too.
    """
    user = find_user_by_email(email.strip())
    password_ok = verify_password(user, password)  # hashes even when there is no such user
    if user is None or not password_ok:
        audit.record(
            "login.failure",
            object_type="user",
            object_id=user.id if user else "",
            organization_id=user.organization_id if user else None,
            detail={"reason": "bad_credentials" if user else "unknown_account"},
        )
        return None
    if not user.is_active:
        audit.record(
            "login.failure",
            object_type="user",
            object_id=user.id,
            organization_id=user.organization_id,
            detail={"reason": "inactive"},
        )
        return None
    if needs_rehash(user):
        user.password_hash = hash_password(password)
    return user


def complete_login(user: User, *, second_step: str) -> None:
    """Record a finished sign-in (``second_step``: none, totp or recovery_code)."""
    user.last_login_at = utcnow()
    audit.record(
        "login.success",
        actor=user,
        object_type="user",
        object_id=user.id,
        detail={"second_step": second_step},
    )


def end_sessions(user: User, reason: EndReason = EndReason.LOGOUT) -> None:
    """End every session of this user: their rows close and old cookies stop matching."""
    user.session_version += 1
    sessions.end_all(user, reason)


@cache
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords, lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


# Words anyone would try first against this service in particular.
_SERVICE_WORDS = frozenset({"referral", "referrals", "coalition", "kansascity", "password"})


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
    lowered = password.strip().lower()
    if lowered == user.email.lower():
        raise PasswordPolicyError(_("The password must not be your e-mail address."))
    if _too_guessable(lowered):
        raise PasswordPolicyError(
            _("That password is too common or too easy to guess; try a few unrelated words.")
        )


def _shortest_repeat(text: str) -> str:
    """The unit ``text`` repeats: "abcabcabc" → "abc" (itself when it does not repeat)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _too_guessable(lowered: str) -> bool:
    """A blocklist check (NIST SP 800-63B 5.1.1.2), not a composition rule.

    Refuses common passwords, also with separators removed, digits or symbols tacked on the
    end, or repeated ("iloveyouiloveyou1"); words about this service; a run like
    "abcdefghijklmnop"; and passwords of almost one character.
    """
    squashed = "".join(ch for ch in lowered if ch.isalnum())
    base = _shortest_repeat(squashed.rstrip("0123456789"))
    common = _common_passwords()
    if {lowered, squashed, base} & common or base in _SERVICE_WORDS:
        return True
    if len(set(lowered)) < 5:
        return True
    steps = {ord(b) - ord(a) for a, b in pairwise(squashed)}
    return len(steps) == 1 and steps <= {1, -1}


def confirm_password(user: User, password: str) -> None:
    """Re-authentication before a sensitive change, throttled and audited like a sign-in:
    someone holding a stolen session must not get unlimited guesses at the password.

    Raises WrongPasswordError; the caller commits either way (the failure is recorded).
    """
    until = throttle.begin_attempt(user.email)
    if until is not None:
        raise WrongPasswordError(
            _(
                "Too many wrong passwords. Try again in %(minutes)d minutes.",
                minutes=throttle.minutes_left(until),
            )
        )
    if not verify_password(user, password):
        audit.record("reauth.failure", actor=user, object_type="user", object_id=user.id)
        if throttle.record_failure(user.email) is not None:
            audit.record("login.locked", actor=user, object_type="user", object_id=user.id)
        raise WrongPasswordError(_("The current password is not correct."))
    throttle.clear(user.email)


def change_password(user: User, *, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions end.

    A wrong current password raises WrongPasswordError with nothing changed but the failure
    record, which the caller commits.
    """
    confirm_password(user, current)
    if current == new:
        raise PasswordPolicyError(_("Choose a password different from the current one."))
    check_password_policy(new, user=user)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user, EndReason.PASSWORD_CHANGED)
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id)
