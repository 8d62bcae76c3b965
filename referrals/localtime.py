"""Dates and times as people read them: in the coalition's zone, formatted by Babel.

Values are stored and compared in UTC; only what is shown, and what a person means by a
day ("sent on 3/8/2026", "from 3/1 to 3/31"), is in ``COALITION_TIMEZONE``. A day filter
therefore runs from the coalition's midnight to the next one, whatever UTC says.

Babel formats every one, with Flask-Babel's locale and zone (BABEL_DEFAULT_TIMEZONE is set
from COALITION_TIMEZONE).

The date format: date inputs are ``type=date`` (a native picker that works without
JavaScript and on phones), which shows the date in the locale's numeric order with a
four-digit year ("12/8/2026" in English, "8/12/2026" in Spanish). Pages use the same
order, from Babel's CLDR data for the locale (skeleton ``yMd``), so one date reads the same
in a form and on a page, and turns with the language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import current_app, g, has_app_context
from flask_babel import get_locale, get_timezone

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


def wall_clock(stored: str | None, zone_name: str) -> str | None:
    """SQLite's ``coalition_local(moment)``: a stored UTC moment as the zone's wall-clock
    time, in the text SQLite's date functions read (PostgreSQL has ``timezone()``)."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone_name)).strftime("%Y-%m-%d %H:%M:%S")


def local_date(moment: datetime) -> date:
    """The coalition's calendar day at ``moment``."""
    return moment.astimezone(zone()).date()


@dataclass(frozen=True)
class _Formats:
    """What formatting needs, worked out once per request (a list formats two dates on each
    of up to 100 rows): Flask-Babel's locale and zone, and the locale's patterns."""

    locale: Locale
    tzinfo: tzinfo
    date: str
    month_day: str
    moment: str


def _build(locale: Locale, zone_info: tzinfo) -> _Formats:
    date_pattern = str(locale.datetime_skeletons[DATE_SKELETON].pattern)
    # The locale's way of joining a date and a time ("{1}, {0}"), with the zone's short name
    # after the time ("CST"), so nobody takes it for UTC.
    time_pattern = f"{locale.time_formats['short'].pattern} z"
    joined = str(locale.datetime_formats["short"])
    return _Formats(
        locale=locale,
        tzinfo=zone_info,
        date=date_pattern,
        month_day=str(locale.datetime_skeletons["Md"].pattern),
        moment=joined.replace("{1}", date_pattern).replace("{0}", time_pattern),
    )


def _formats() -> _Formats:
    """Per request and locale (force_locale may change it within one); outside an app, the
    English default."""
    if not has_app_context():
        return _build(Locale.parse("en"), zone())
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    cache: dict[str, _Formats] = g.setdefault("_local_time_formats", {})
    formats = cache.get(str(locale))
    if formats is None:
        formats = cache[str(locale)] = _build(locale, get_timezone() or zone())
    return formats


def show_date(value: date | datetime | None) -> str:
    """A day as people read it (a moment is first put in the coalition's zone); a dash for
    none."""
    if value is None:
        return "—"
    formats = _formats()
    if isinstance(value, datetime):
        value = value.astimezone(formats.tzinfo).date()
    return dates.format_date(value, formats.date, locale=formats.locale)


def show_datetime(value: datetime | None) -> str:
    """A moment in the coalition's zone, date, time and zone; a dash for none."""
    if value is None:
        return "—"
    formats = _formats()
    return dates.format_datetime(
        value, formats.moment, tzinfo=formats.tzinfo, locale=formats.locale
    )


def show_month_day(value: date) -> str:
    """A day without its year, for the trend chart's axis ("3/8" in English)."""
    formats = _formats()
    return dates.format_date(value, formats.month_day, locale=formats.locale)
