"""Word lists for the identifier guard (``referrals.identifiers``), in English and Spanish.

First names come from a maintained list shipped on PyPI (``gender-guesser``'s ``nam_dict.txt``,
about 45,000 names with their frequency per country) and the U.S. Census (``data/surnames.txt``);
``data/words.toml`` holds the *public* side: words that are names but also ordinary English,
the coalition's organizations and places, street words and the hotline numbers caseworkers
hand out.
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources

# Columns of nam_dict.txt's frequency table (0-based from column 31) that we keep: Great
# Britain, Ireland, U.S.A., Portugal and Spain. Other countries' lists are full of short words
# that are ordinary English ("the", "so", "long", "young" are given names somewhere), which
# would make every sentence start look like a name.
NAME_COUNTRY_COLUMNS = (0, 1, 2, 5, 6)


def fold_accents(word: str) -> str:
    """``josé`` -> ``jose``: caseworkers often type names without accents."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def first_names() -> frozenset[str]:
    """Lower-case first names common in the U.S., the U.K., Ireland, Spain and Portugal."""
    data = resources.files("gender_guesser").joinpath("data", "nam_dict.txt")
    names: set[str] = set()
    for line in data.read_text(encoding="utf-8").splitlines():
        # '#' comments, '=' equivalence lines, '+' in column 30 duplicates with expanded umlauts.
        if line[:1] in "#=" or len(line) < 37 or line[29] == "+":
            continue
        frequencies = line[30:]
        if all(frequencies[column] == " " for column in NAME_COUNTRY_COLUMNS):
            continue
        name = line[3:29].strip().replace("+", "").casefold()  # "Jo+Ann" stands for "Joann" too
        if name and " " not in name:
            names.add(name)
            names.add(fold_accents(name))
    return frozenset(names)


@cache
def surnames() -> frozenset[str]:
    """Lower-case U.S. surnames, accents folded (``data/surnames.txt`` says where from)."""
    text = resources.files("referrals.identifiers").joinpath("data", "surnames.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


# The lists themselves are data (data/words.toml), each with a comment saying why it is there.
_LISTS = tomllib.loads(
    resources.files("referrals.identifiers").joinpath("data", "words.toml").read_text("utf-8")
)


def _words(key: str) -> frozenset[str]:
    return frozenset(_LISTS[key].split())


COMMON_WORD_NAMES = _words("common_word_names")
MONTHS = _words("months")
WEEKDAYS = _words("weekdays")
PLACE_WORDS = _words("place_words")
LANGUAGE_WORDS = _words("language_words")
PUBLIC_PHRASES = tuple(_LISTS["public_phrases"])
ORG_NOUNS = _words("org_nouns")
ORG_NOUNS_BEFORE = _words("org_nouns_before")
# Digit words written into a number ("8one6-5five5"), longest first for the pattern.
DIGIT_WORDS = {
    word: str(digit)
    for word, digit in sorted(
        ((word, digit) for names in _LISTS["digit_names"] for digit, word in enumerate(names)),
        key=lambda pair: -len(pair[0]),
    )
}
ENGLISH_MARKERS = _words("english_markers")
SPANISH_MARKERS = _words("spanish_markers")
QUANTITY_WORDS = _words("quantity_words")
PLATE_FILLER = _words("plate_filler")
FUNCTION_WORDS = _words("function_words")
ORG_NOUNS_ALSO_SURNAMES = _words("org_nouns_also_surnames")
STREET_SUFFIXES = _words("street_suffixes")
KC_BARE_STREETS = tuple(_LISTS["kc_bare_streets"])
US_STATES = _words("us_states")
# Capitalised words that are never a surname after a name word: the list, and every kind of
# word above that is capitalised by rule or names an organization or a street.
NOT_SURNAMES = (
    _words("not_surnames")
    | MONTHS
    | WEEKDAYS
    | PLACE_WORDS
    | LANGUAGE_WORDS
    | ORG_NOUNS
    | ORG_NOUNS_ALSO_SURNAMES
    | STREET_SUFFIXES
)
PUBLIC_PHONE_NUMBERS = frozenset(_LISTS["public_phone_numbers"])
TITLES = frozenset(_LISTS["titles"])
TITLES_ANY_CASE = _words("titles_any_case")
NAMING_CUES = frozenset(tuple(cue.split()) for cue in _LISTS["naming_cues"])
RELATIVES = _words("relatives")
CONTACT_WORDS = _words("contact_words")
PLACE_PREFIXES = frozenset(_LISTS["place_prefixes"])
CONNECTORS = _words("connectors")
NOT_NAMES_AFTER_CUE = _words("not_names_after_cue")
