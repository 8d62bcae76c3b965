"""Verbs on staff accounts: create, edit, deactivate, reactivate, reset the password."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from referrals.admin.common import (
    AdminInputError,
    DuplicateError,
    SelfActionError,
    apply_changes,
    check_fields,
    flush_or_refuse,
    is_taken,
)
from referrals.audit import services as audit
from referrals.auth import confirmation, mfa, throttle
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.auth.services import end_sessions
from referrals.auth.sessions import EndReason
from referrals.enums import Role
from referrals.extensions import db
from referrals.lifecycle.conversation import unassign_everywhere
from referrals.programs.models import Organization

USER_FIELDS = frozenset({"email", "display_name", "role", "organization_id"})


def _duplicate_message() -> str:
    return _("Another account already uses this e-mail address.")


def _one_time_password(user: User) -> str:
    """Give ``user`` a fresh one-time password and return it (shown once, never stored)."""
    password = secrets.token_urlsafe(15)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    return password


def _clean(values: dict[str, Any], *, user: User | None) -> dict[str, Any]:
    """Normalized values, or AdminInputError naming the field at fault."""
    v = dict(values)
    v["email"] = (v["email"] or "").strip().lower()
    v["display_name"] = " ".join((v["display_name"] or "").split())
    local, _at, domain = v["email"].partition("@")
    if not local or "." not in domain or len(v["email"]) > 254 or " " in v["email"]:
        raise AdminInputError(_("Give a valid e-mail address."), field="email")
    if not v["display_name"] or len(v["display_name"]) > 120:
        raise AdminInputError(_("Give a name of at most 120 characters."), field="display_name")
    try:
        v["role"] = Role(v["role"])
    except ValueError:
        raise AdminInputError(_("Choose from the listed values only."), field="role") from None
    org_id = v["organization_id"]
    org = db.session.get(Organization, org_id) if isinstance(org_id, int) else None
    moving = user is None or org_id != user.organization_id
    if org is None or (moving and not org.active):
        raise AdminInputError(_("Choose an active organization."), field="organization_id")
    same_email = sa.func.lower(User.email) == v["email"]
    if is_taken(User.id, same_email, exclude_id=user.id if user else None):
        raise DuplicateError(_duplicate_message(), field="email")
    return v


def create_user(
    *, by: User, email: str, display_name: str, role: Role, organization_id: int
) -> tuple[User, str]:
    """Open an account; returns it with its one-time password, which the caller shows once."""
    values = _clean(
        {
            "email": email,
            "display_name": display_name,
            "role": role,
            "organization_id": organization_id,
        },
        user=None,
    )
    user = User(active=True, **values)
    password = _one_time_password(user)
    db.session.add(user)
    flush_or_refuse(_duplicate_message(), field="email")
    audit.record(
        "admin.user.created",
        actor=by,
        object_type="user",
        object_id=user.id,
        detail={"role": user.role.value, "organization_id": user.organization_id},
    )
    confirmation.ask_confirmation(user, by=by, why="created")
    return user, password


def update_user(user: User, *, by: User, **fields: Any) -> list[str]:
    """Change an account's details; returns the names of the fields that changed."""
    check_fields(fields, USER_FIELDS)
    current = {name: getattr(user, name) for name in USER_FIELDS}
    values = _clean(current | fields, user=user)
    if user.id == by.id and values["role"] != user.role:
        raise SelfActionError(
            _("You cannot change your own role; ask another administrator."), field="role"
        )
    changed = apply_changes(user, values)
    flush_or_refuse(_duplicate_message(), field="email")
    audit.record(
        "admin.user.updated",
        actor=by,
        object_type="user",
        object_id=user.id,
        detail={
            "fields": changed,
            "role": user.role.value,
            "organization_id": user.organization_id,
        },
    )
    if {"organization_id", "role"} & set(changed):
        # A new organization or role is new access: its supervisors confirm it first; what
        # the account worked on stays with its old organization or role.
        confirmation.ask_confirmation(user, by=by, why="moved")
        unassign_everywhere(user)
    return changed


def deactivate_user(user: User, *, by: User) -> None:
    """Switch an account off and end its sessions at once; nothing is deleted."""
    if user.id == by.id:
        raise SelfActionError(
            _("You cannot deactivate your own account; ask another administrator.")
        )
    user.active = False
    end_sessions(user, EndReason.DEACTIVATED)
    unassign_everywhere(user)
    db.session.flush()
    audit.record("admin.user.deactivated", actor=by, object_type="user", object_id=user.id)


def activate_user(user: User, *, by: User) -> None:
    """Switch an account back on."""
    user.active = True
    db.session.flush()
    audit.record("admin.user.activated", actor=by, object_type="user", object_id=user.id)


def reset_password(user: User, *, by: User) -> str:
    """Issue a new one-time password (returned to show once) and end the user's sessions."""
    if user.id == by.id:
        raise SelfActionError(_("Change your own password on the Password page instead."))
    password = _one_time_password(user)
    # A forgotten password often follows a lockout; the reset is the way back in.
    throttle.clear(user.email)
    end_sessions(user, EndReason.ENDED_BY_ADMIN)
    db.session.flush()
    audit.record("admin.user.password_reset", actor=by, object_type="user", object_id=user.id)
    # Whoever holds the new password is not yet known to be the account's owner.
    confirmation.ask_confirmation(user, by=by, why="password_reset")
    return password


def reset_two_step(user: User, *, by: User) -> None:
    """Remove a lost authenticator and its recovery codes; the account enrols again at its
    next sign-in (a required role cannot continue without it). Its sessions end."""
    if user.id == by.id:
        raise SelfActionError(_("Another administrator must reset your own two-step sign-in."))
    mfa.disable(user)
    end_sessions(user, EndReason.ENDED_BY_ADMIN)
    db.session.flush()
    audit.record("admin.user.two_step_reset", actor=by, object_type="user", object_id=user.id)
