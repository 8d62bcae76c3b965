"""argon2id password hashing with parameters from the configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from referrals.auth.models import User


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's; costs the same time when there is no user."""
    hasher = _hasher()
    if user is None:
        # Hash anyway so an unknown e-mail takes as long as a wrong password.
        hasher.hash(password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def needs_rehash(user: User) -> bool:
    return _hasher().check_needs_rehash(user.password_hash)
