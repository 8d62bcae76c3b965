"""Flask-Login's user loader: the session names a user *and* the session version."""

from __future__ import annotations

from referrals.auth.models import User
from referrals.extensions import db


def load_user(session_user_id: str) -> User | None:
    """Load the user only while the session version still matches and the account is active."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user
