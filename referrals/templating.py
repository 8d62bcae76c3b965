"""Values and helpers available to every template."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import g
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from wtforms import Field

from referrals.auth.sessions import seconds_left
from referrals.db_types import utcnow
from referrals.enums import Gender, Indicator, ReferralStatus, Role, ServiceType
from referrals.extensions import cache, db
from referrals.geography import county_label, language_label
from referrals.language.selection import LANGUAGES
from referrals.localtime import show_date, show_datetime
from referrals.notifications.services import UNREAD_COUNT_CAP, unread_count
from referrals.phrases import age_range, days, hours, ngettext, places
from referrals.programs.models import Organization


class Phone(NamedTuple):
    """A number as shown (never broken across lines: app.css) and as a link dials it."""

    shown: str
    link: str


class Hotlines(NamedTuple):
    """The numbers in every page's footer (base.html). Help comes first: the National Human
    Trafficking Hotline (call or text) and 911. The HSI Tip Line is Homeland Security
    Investigations, part of ICE: federal law enforcement, named for what it is and kept apart
    under "To report a tip", so that no immigrant survivor takes it for a help line."""

    call: Phone
    text: Phone
    emergency: Phone
    tip_line: Phone


HOTLINES = Hotlines(
    call=Phone("1-888-373-7888", "tel:+18883737888"),
    text=Phone("233733", "sms:233733"),
    emergency=Phone("911", "tel:911"),
    tip_line=Phone("1-866-347-2423", "tel:+18663472423"),
)


def template_context() -> dict[str, Any]:
    # The sign-out and stay-signed-in forms of base.html are two hidden inputs each (the CSRF
    # token and ``next``), written in the template: building their WTForms objects on every
    # page cost more than the rest of the layout. The views still validate them as forms.
    authenticated = current_user.is_authenticated
    return {
        "Role": Role,
        "ReferralStatus": ReferralStatus,
        "hotlines": HOTLINES,
        "languages": LANGUAGES,
        "demo_mode": demo_data_present(),
        "unread_notifications": unread_notifications() if authenticated else 0,
        "unread_cap": UNREAD_COUNT_CAP,
        "session_seconds_left": session_seconds_left(authenticated),
    }


def session_seconds_left(authenticated: bool) -> int | None:
    """What the idle-timeout warning in base.html needs; None shows no warning."""
    row = g.get("user_session") if authenticated else None
    return None if row is None else seconds_left(row)


def unread_notifications() -> int:
    """The badge in the navigation: counted with the session check when the request began
    (auth/sessions.py); counted here otherwise. An error page must render even if the
    database failed."""
    counted = g.get("unread_notifications")
    if counted is not None:
        return int(counted)
    try:
        return unread_count(current_user)
    except SQLAlchemyError:
        db.session.rollback()
        return 0


# The banner follows the database within a minute of a seed or a reset.
_DEMO_CHECK_SECONDS = 60
_DEMO_BANNER = "demo_data_present"


def demo_data_present() -> bool:
    """Whether the database holds the demo coalition (asked at most once a minute)."""
    present = cache.get(_DEMO_BANNER)
    if present is None:
        try:
            present = bool(
                db.session.scalar(sa.select(sa.exists().where(Organization.is_demo.is_(True))))
            )
        except SQLAlchemyError:
            # The error page must still render when the database is what failed.
            db.session.rollback()
            return False
        cache.set(_DEMO_BANNER, present, timeout=_DEMO_CHECK_SECONDS)
    return bool(present)


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
        return ngettext("%(num)d minute ago", "%(num)d minutes ago", seconds // 60)
    if seconds < 2 * 86400:
        return ngettext("%(num)d hour ago", "%(num)d hours ago", seconds // 3600)
    return ngettext("%(num)d day ago", "%(num)d days ago", seconds // 86400)


def program_ages(program: Any) -> str:
    """A program's ages as people say them: "12–17", "18 and over", "up to 17"."""
    return age_range(program.min_age, program.max_age)


def percent(share: float) -> str:
    """A share as a percentage in the locale's way ("67%", "67 %")."""
    return str(format_percent(share))


def field_aria(field: Field) -> dict[str, str]:
    """``aria-describedby`` and ``aria-invalid`` for a form field: what ties its help text and
    its errors to it for a screen reader, under the ids the form macros write them with
    (``{id}-help``, ``{id}-error``)."""
    described = [f"{field.id}-help"] if field.description else []
    attributes = {}
    if field.errors:
        described.append(f"{field.id}-error")
        attributes["aria-invalid"] = "true"
    if described:
        attributes["aria-describedby"] = " ".join(described)
    return attributes


TEMPLATE_FILTERS = {
    "age_range": program_ages,
    "places": places,
    "hours": hours,
    "days": days,
    "percent": percent,
    "ago": ago,
    # Every date and time shown, in the coalition's zone and the locale's format.
    "day": show_date,
    "minute": show_datetime,
    "service_label": _label(ServiceType),
    "indicator_label": _label(Indicator),
    "gender_label": _label(Gender),
    "language_label": language_label,
    "county_label": county_label,
    "aria": field_aria,
}
