"""Flask-Login's user loader: the cookie must name a live server-side session."""

from __future__ import annotations

from referrals.auth import sessions
from referrals.auth.models import User
from referrals.extensions import db
from referrals.operations import request_log


def load_user(session_user_id: str) -> User | None:
    """The signed-in user, while the session row lives, the version matches and the account
    is active; None signs the browser out."""
    user_id, _, version = session_user_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The session first: touching it commits, which would expire a user loaded before.
    # It loads the user and organization too, so the get() below finds them in the identity
    # map (or reads them again after that commit, once a minute).
    if sessions.validate(int(user_id)) is None:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    request_log.identify(user.id, user.organization_id)
    return user
