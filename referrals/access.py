"""The one gate: who may reach a view, and queries already scoped to the user's organization."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from referrals.auth.models import User
from referrals.enums import Role

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[F], F]:
    """Let in signed-in users with one of ``roles``; others get 403, anonymous users the login."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, login_required(wrapped))

    return decorator


def staff() -> User:
    """The signed-in user, typed (call only behind ``login_required``)."""
    return cast(User, current_user._get_current_object())
