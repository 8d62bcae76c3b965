"""Dates and times as people read them: in the coalition's zone, formatted by Babel.

Values are stored and compared in UTC; only what is shown, and what a person means by a
day ("sent on 3/8/2026", "from 3/1 to 3/31"), is in ``COALITION_TIMEZONE``. A day filter
therefore runs from the coalition's midnight to the next one, whatever UTC says.

The date format: date inputs are ``type=date`` (a native picker that works without
JavaScript and on phones), which shows the date in the locale's numeric order with a
four-digit year ("12/8/2026" in English, "8/12/2026" in Spanish). Pages use the same
order, from Babel's CLDR data for the locale (skeleton ``yMd``), so one date reads the same
in a form and on a page, and turns with the language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import format_date, format_datetime, get_locale

from config import Config

DATE_SKELETON = "yMd"


def zone() -> ZoneInfo:
    """The coalition's time zone (ZoneInfo keeps one instance per name). Outside an app
    (a quarter's bounds computed at import, in a test's data) the environment's setting."""
    name = current_app.config["COALITION_TIMEZONE"] if has_app_context() else None
    return ZoneInfo(name or Config.COALITION_TIMEZONE)


def day_start(day: date) -> datetime:
    """The UTC moment the coalition's ``day`` begins (23 or 25 hours after the day before
    when the clocks change)."""
    return datetime.combine(day, time.min, zone()).astimezone(UTC)


def day_end(day: date) -> datetime:
    """The UTC moment after the coalition's ``day``: the start of the next one."""
    return day_start(day + timedelta(days=1))


def local_date(moment: datetime) -> date:
    """The coalition's calendar day at ``moment``."""
    return moment.astimezone(zone()).date()


def _date_pattern() -> str:
    locale = get_locale()
    return str(locale.datetime_skeletons[DATE_SKELETON].pattern) if locale else "M/d/y"


def _datetime_pattern() -> str:
    """The locale's way of joining a date and a time ("{1}, {0}"), with the zone's short
    name after the time ("CST"), so nobody takes it for UTC."""
    locale = get_locale()
    if locale is None:
        return "M/d/y, h:mm a z"
    time_pattern = locale.time_formats["short"].pattern
    joined: str = locale.datetime_formats["short"]
    return joined.replace("{1}", _date_pattern()).replace("{0}", f"{time_pattern} z")


def show_date(value: date | datetime | None) -> str:
    """A day as people read it (a moment is first put in the coalition's zone); a dash for
    none."""
    if value is None:
        return "—"
    return str(format_date(value, _date_pattern()))


def show_datetime(value: datetime | None) -> str:
    """A moment in the coalition's zone, date, time and zone; a dash for none."""
    if value is None:
        return "—"
    return str(format_datetime(value, _datetime_pattern()))


def show_month_day(value: date) -> str:
    """A day without its year, for the trend chart's axis ("3/8" in English)."""
    locale = get_locale()
    pattern = str(locale.datetime_skeletons["Md"].pattern) if locale else "M/d"
    return str(format_date(value, pattern))
