"""Places and languages offered in forms (one spelling everywhere, so matching compares equal).

The values stored are these English spellings; what a page shows is their label in the
user's language: county names are proper names, languages are named by Babel (CLDR).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

# The Kansas City metro counties on both sides of the state line.
COUNTIES: tuple[str, ...] = (
    "Jackson County, MO",
    "Clay County, MO",
    "Platte County, MO",
    "Cass County, MO",
    "Ray County, MO",
    "Lafayette County, MO",
    "Wyandotte County, KS",
    "Johnson County, KS",
    "Leavenworth County, KS",
    "Miami County, KS",
    "Outside the metro area",
)
OUTSIDE_THE_METRO = COUNTIES[-1]

LANGUAGES: tuple[str, ...] = (
    "English",
    "Spanish",
    "Vietnamese",
    "Swahili",
    "Arabic",
    "Somali",
    "French",
    "Haitian Creole",
    "Chinese",
    "Burmese",
    "Nepali",
    "American Sign Language",
)
# Each language's code, for its name in the user's language.
LANGUAGE_CODES = {
    "English": "en",
    "Spanish": "es",
    "Vietnamese": "vi",
    "Swahili": "sw",
    "Arabic": "ar",
    "Somali": "so",
    "French": "fr",
    "Haitian Creole": "ht",
    "Chinese": "zh",
    "Burmese": "my",
    "Nepali": "ne",
    "American Sign Language": "ase",
}
# Names CLDR does not have in every language.
_NOT_IN_CLDR = {"ase": _l("American Sign Language")}


def language_label(name: str) -> str:
    """A stored language's name in the user's language ("Spanish" → "Español")."""
    code = LANGUAGE_CODES.get(name)
    if code is None:
        return name  # a program may list a language this list lacks: shown as written
    locale = get_locale()
    shown = locale.languages.get(code) if locale is not None else None
    if not shown:
        return str(_NOT_IN_CLDR.get(code, name))
    return shown[:1].upper() + shown[1:]  # Spanish writes them lower-case in a sentence


def county_label(name: str) -> str:
    """A stored county as shown: names as they are, "outside the metro area" translated."""
    return str(_l("Outside the metro area")) if name == OUTSIDE_THE_METRO else name


def _choice(value: str, label: Callable[[str], str], known: bool) -> SelectChoice:
    # Lazy, since forms declare their choices at import, before any request has a language;
    # but only for the known values: a lazy string counts as safe HTML (it has __html__), so a
    # value read from the database (a program's own language) is never wrapped in one.
    shown = LazyString(label, value) if known else value
    return SelectChoice(value, shown)  # type: ignore[arg-type]


def language_choices(values: Iterable[str] = LANGUAGES) -> list[SelectChoice]:
    """Form choices: the stored English name as value, its name in the user's language."""
    return [_choice(value, language_label, value in LANGUAGE_CODES) for value in values]


def county_choices(values: Iterable[str] = COUNTIES) -> list[SelectChoice]:
    """Form choices: the stored county as value, as shown in the user's language."""
    return [_choice(value, county_label, value == OUTSIDE_THE_METRO) for value in values]
