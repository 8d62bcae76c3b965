"""Counts, ranges and lists as people say them, in the current language ("2 beds",
"18 and over", "English or Spanish").

Matching runs without an app context (tests, benchmarks), so these translate through
Flask-Babel when there is an app and give the English text when there is none. The names
``_`` and ``ngettext`` let pybabel find the messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flask_babel
from babel.lists import format_list
from flask import has_app_context


def _(message: str, **variables: Any) -> str:
    """gettext inside the app; the English message outside it."""
    if has_app_context():
        return str(flask_babel.gettext(message, **variables))
    return message % variables if variables else message


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """ngettext inside the app; the English singular or plural outside it."""
    if has_app_context():
        return str(flask_babel.ngettext(singular, plural, num, **variables))
    return (singular if num == 1 else plural) % {"num": num, **variables}


def _locale() -> Any:
    return (flask_babel.get_locale() if has_app_context() else None) or "en"


def joined(items: Sequence[str], *, either: bool = False) -> str:
    """ "Spanish and Vietnamese", or with ``either`` "English or Spanish" (CLDR's list
    patterns for the language)."""
    return format_list(list(items), style="or" if either else "standard", locale=_locale())


def age_range(min_age: int | None, max_age: int | None) -> str:
    """A program's ages: "12–17", "18 and over", "up to 17", "any age"."""
    if min_age is not None and max_age is not None:
        return _("%(low)d–%(high)d", low=min_age, high=max_age)
    if min_age is not None and min_age > 0:
        return _("%(age)d and over", age=min_age)
    if max_age is not None:
        return _("up to %(age)d", age=max_age)
    return _("any age")


_UNITS: dict[str, Callable[[int], str]] = {
    "bed": lambda n: ngettext("%(num)d bed", "%(num)d beds", n),
    "slot": lambda n: ngettext("%(num)d slot", "%(num)d slots", n),
    "seat": lambda n: ngettext("%(num)d seat", "%(num)d seats", n),
    "place": lambda n: ngettext("%(num)d place", "%(num)d places", n),
    "room": lambda n: ngettext("%(num)d room", "%(num)d rooms", n),
    "space": lambda n: ngettext("%(num)d space", "%(num)d spaces", n),
    "apartment": lambda n: ngettext("%(num)d apartment", "%(num)d apartments", n),
}


def places(count: int, unit: str | None = None) -> str:
    """ "1 bed", "2 beds": a count with its unit, in the singular or plural the language
    needs. A unit typed in the admin form that is not a known one is shown as typed."""
    key = (unit or "place").strip().casefold()
    phrase = _UNITS.get(key) or _UNITS.get(key.removesuffix("s"))
    if phrase is not None:
        return phrase(count)
    return _("%(num)d %(unit)s", num=count, unit=unit)


def hours(count: int) -> str:
    """ "1 hour", "72 hours"."""
    return ngettext("%(num)d hour", "%(num)d hours", count)


def days(count: int) -> str:
    """ "1 day", "30 days"."""
    return ngettext("%(num)d day", "%(num)d days", count)
