"""Verbs on organizations: create, edit, deactivate, reactivate."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

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
from referrals.auth.models import User
from referrals.auth.services import end_sessions
from referrals.auth.sessions import EndReason
from referrals.extensions import db
from referrals.programs.models import Organization

SLUG_PATTERN = re.compile(r"^[a-z0-9-]+$")
ORGANIZATION_FIELDS = frozenset(
    {"name", "slug", "description", "phone", "website", "refers", "receives", "require_mfa"}
)


def _clean(values: dict[str, Any], *, exclude_id: int | None) -> dict[str, Any]:
    """Normalized values, or AdminInputError naming the field at fault."""
    cleaned = dict(values)
    for name in ("name", "slug", "description", "phone", "website"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    for name in ("refers", "receives", "require_mfa"):
        cleaned[name] = bool(cleaned.get(name))
    if not cleaned["name"] or len(cleaned["name"]) > 200:
        raise AdminInputError(_("Give a name of at most 200 characters."), field="name")
    if not SLUG_PATTERN.fullmatch(cleaned["slug"]) or len(cleaned["slug"]) > 80:
        raise AdminInputError(
            _("Use lower-case letters, digits and dashes only (at most 80)."), field="slug"
        )
    if len(cleaned["phone"]) > 40:
        raise AdminInputError(_("Use at most 40 characters."), field="phone")
    website = cleaned["website"]
    if website:
        # Only web addresses: a javascript: or data: link here would run in admins' browsers.
        parts = urlsplit(website)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(website) > 300:
            raise AdminInputError(
                _("Give a web address starting with https:// or http://."), field="website"
            )
    same_name = sa.func.lower(Organization.name) == cleaned["name"].lower()
    same_slug = Organization.slug == cleaned["slug"]
    for condition, field in ((same_name, "name"), (same_slug, "slug")):
        if is_taken(Organization.id, condition, exclude_id=exclude_id):
            raise DuplicateError(_duplicate_message(field), field=field)
    return cleaned


def _duplicate_message(field: str) -> str:
    if field == "slug":
        return _("Another organization already uses this short name.")
    return _("Another organization already has this name.")


def create_organization(
    *,
    by: User,
    name: str,
    slug: str,
    description: str = "",
    phone: str = "",
    website: str = "",
    refers: bool = False,
    receives: bool = False,
    require_mfa: bool = False,
) -> Organization:
    """Add an organization to the coalition (active from the start)."""
    values = _clean(
        {
            "name": name,
            "slug": slug,
            "description": description,
            "phone": phone,
            "website": website,
            "refers": refers,
            "receives": receives,
            "require_mfa": require_mfa,
        },
        exclude_id=None,
    )
    org = Organization(active=True, **values)
    db.session.add(org)
    flush_or_refuse(_("Another organization already uses this name or short name."), field="name")
    audit.record(
        "admin.organization.created",
        actor=by,
        object_type="organization",
        object_id=org.id,
        detail={"refers": org.refers, "receives": org.receives, "require_mfa": org.require_mfa},
    )
    return org


def update_organization(org: Organization, *, by: User, **fields: Any) -> list[str]:
    """Change an organization's details; returns the names of the fields that changed."""
    check_fields(fields, ORGANIZATION_FIELDS)
    current = {name: getattr(org, name) for name in ORGANIZATION_FIELDS}
    values = _clean(current | fields, exclude_id=org.id)
    changed = apply_changes(org, values)
    flush_or_refuse(_("Another organization already uses this name or short name."), field="name")
    audit.record(
        "admin.organization.updated",
        actor=by,
        object_type="organization",
        object_id=org.id,
        detail={"fields": changed},
    )
    return changed


def deactivate_organization(org: Organization, *, by: User) -> None:
    """Switch an organization off: its staff can no longer sign in; nothing is deleted."""
    if org.id == by.organization_id:
        raise SelfActionError(_("You cannot deactivate your own organization."))
    org.active = False
    # Its staff's sessions end now; reactivating the organization must not revive them.
    for member in db.session.scalars(sa.select(User).where(User.organization_id == org.id)):
        end_sessions(member, EndReason.DEACTIVATED)
    db.session.flush()
    audit.record(
        "admin.organization.deactivated",
        actor=by,
        object_type="organization",
        object_id=org.id,
    )


def activate_organization(org: Organization, *, by: User) -> None:
    """Switch an organization back on."""
    org.active = True
    db.session.flush()
    audit.record(
        "admin.organization.activated",
        actor=by,
        object_type="organization",
        object_id=org.id,
    )
