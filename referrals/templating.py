"""Values and helpers available to every template."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from referrals.auth.forms import ExtendSessionForm, LogoutForm
from referrals.auth.sessions import seconds_left
from referrals.db_types import utcnow
from referrals.enums import Gender, Indicator, Role, ServiceType
from referrals.extensions import db
from referrals.notifications.services import unread_count
from referrals.programs.models import Organization

# The article's hotlines, shown in every page footer.
HOTLINES = (
    ("National Human Trafficking Hotline", "1 (888) 373-7888", "tel:+18883737888"),
    ("Text “HELP” or “INFO” to", "233733", "sms:233733"),
    ("U.S. Immigration and Customs Enforcement", "1 (866) 347-2423", "tel:+18663472423"),
)


def template_context() -> dict[str, Any]:
    authenticated = current_user.is_authenticated
    return {
        "Role": Role,
        "hotlines": HOTLINES,
        "logout_form": LogoutForm(formdata=None) if authenticated else None,
        "demo_mode": demo_data_present(),
        "unread_notifications": unread_notifications() if authenticated else 0,
        **session_warning_context(authenticated),
    }


def session_warning_context(authenticated: bool) -> dict[str, Any]:
    """What the idle-timeout warning in base.html needs: seconds left and its form."""
    row = g.get("user_session") if authenticated else None
    if row is None:
        return {"session_seconds_left": None, "extend_session_form": None}
    return {
        "session_seconds_left": seconds_left(row),
        "extend_session_form": ExtendSessionForm(formdata=None, next=request.full_path),
    }


def unread_notifications() -> int:
    """The badge in the navigation; an error page must render even if the database failed."""
    try:
        return unread_count(current_user)
    except SQLAlchemyError:
        db.session.rollback()
        return 0


_DEMO_CHECK_SECONDS = 60.0


def demo_data_present() -> bool:
    """Whether the database holds the demo coalition (checked at most once a minute)."""
    cache = current_app.extensions.setdefault("demo_banner", {"checked": -1e9, "present": False})
    now = time.monotonic()
    if now - cache["checked"] > _DEMO_CHECK_SECONDS:
        try:
            cache["present"] = bool(
                db.session.scalar(sa.select(sa.exists().where(Organization.is_demo.is_(True))))
            )
        except SQLAlchemyError:
            # The error page must still render when the database is what failed.
            db.session.rollback()
            return False
        cache["checked"] = now
    return bool(cache["present"])


def _label(enum_class: type) -> Any:
    def label(code: str) -> str:
        try:
            return str(enum_class(code).label)
        except ValueError:
            return code  # an old or unknown code is still worth showing as is

    return label


def ago(moment: datetime | None) -> str:
    """How long ago, roughly: capacity figures are only as good as they are fresh."""
    if moment is None:
        return _("never")
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    if seconds < 3600:
        return _("%(n)d minutes ago", n=seconds // 60)
    if seconds < 2 * 86400:
        return _("%(n)d hours ago", n=seconds // 3600)
    return _("%(n)d days ago", n=seconds // 86400)


TEMPLATE_FILTERS = {
    "ago": ago,
    "service_label": _label(ServiceType),
    "indicator_label": _label(Indicator),
    "gender_label": _label(Gender),
}
