"""Personal names: capitalised words from the first-name list, with cues and surnames.

Decisions (each has a test):

- A capitalised word found in the first-name list is a name. Names that are also ordinary
  words ("Hope", "Will", "Esperanza", "Dolores"), months, places and languages count only with
  a cue ("named Hope", "her sister Grace", "se llama Luz", "Ms. Johnson", "doña Carmen") or a
  surname ("Hope Williams").
- Lower-case and all-capital names count when a first name is followed by a surname from the
  Census list ("jessica martinez", "MARIA LOPEZ"), or when a first name follows a cue
  ("her sister brianna", "la señora ramírez"). A lone lower-case "maria" passes.
- "@handles" and profile links are handles (``patterns.py``); organizations and places that
  contain name words ("Veronica's Voice", "Guadalupe Centers") pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

from referrals.identifiers import words as data

Hit = tuple[int, int, str]

# Personal names -------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_SPACE = re.compile(r"[ \t]+")
_AFTER_TITLE = re.compile(r"\.?[ \t]+")
_AFTER_CUE = re.compile(r"[ \t\"'\u201c\u201d\u2018\u2019(,:.]*")
_CONJUNCTION = re.compile(r"[ \t]*(?:,|&|,?[ \t]*and|,?[ \t]*or)[ \t]*")
_INSIDE_PHRASE = re.compile(r"[ \t.]*")
_POSSESSIVE = frozenset({"'s", "'S", "\u2019s", "\u2019S"})
_ABBREVIATIONS = frozenset({"st", "jr", "sr", "dr", "mt", "ft"})
_STREETS = data.STREET_SUFFIXES - data.ORG_NOUNS_ALSO_SURNAMES
_PUBLIC_WORDS = data.MONTHS | data.PLACE_WORDS | data.LANGUAGE_WORDS
_NOT_NAMES_AFTER_CUE = data.NOT_NAMES_AFTER_CUE | data.ORG_NOUNS | {"unit", "court", "courts"}
_CUE_ENDINGS = frozenset(cue[-1] for cue in data.NAMING_CUES) | {"name"}
_ARTICLES = frozenset({"la", "el"})

# How strongly a capitalised word reads as a name by itself.
NOT_A_NAME, PUBLIC, COMMON, NAME = range(4)


class _Token(NamedTuple):
    start: int
    end: int  # of the word without a possessive 's
    stop: int  # of the whole token
    word: str  # without a possessive 's
    low: str
    possessive: bool
    capitalised: bool


class _Words:
    """The words of a text, each looked at only when a capitalised word needs it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(_TOKEN.finditer(text))
        upper = sum(map(str.isupper, text))
        self.shouting = upper >= 4 and upper > 3 * sum(map(str.islower, text))
        self._tokens: dict[int, _Token] = {}

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, i: int) -> _Token:
        token = self._tokens.get(i)
        if token is None:
            token = self._tokens[i] = self._token(i)
        return token

    def _token(self, i: int) -> _Token:
        match, text = self.matches[i], self.text
        start, stop = match.span()
        word = match.group()
        possessive = word[-2:] in _POSSESSIVE and len(word) > 2
        base = word[:-2] if possessive else word
        if self.shouting:
            capitalised = base[0].isupper() and (len(base) >= 3 or base[1:].islower())
        else:
            # Title case, allowing "McDonald", "DeShawn", "LaToya"; not "NaN", "TeX", "KEv".
            capitalised = base[0].isupper() and base[1:2].islower() and base[-1].islower()
        if capitalised and text[stop : stop + 1] == "-" and text[stop + 1 : stop + 2].islower():
            capitalised = False  # "Faith-based" is an adjective
        end = start + len(base)
        return _Token(start, end, stop, base, base.casefold(), possessive, capitalised)

    def upper_first(self) -> Iterator[int]:
        """Indexes of the words that start with a capital letter."""
        for i, match in enumerate(self.matches):
            if match.group()[0].isupper():
                yield i

    def gap(self, pattern: re.Pattern[str], i: int, j: int) -> bool:
        """Whether the text between words ``i`` and ``j`` matches ``pattern``."""
        return (
            pattern.fullmatch(self.text, self.matches[i].end(), self.matches[j].start()) is not None
        )


@lru_cache(maxsize=8192)
def _level(low: str) -> int:
    if low in data.COMMON_WORD_NAMES or data.fold_accents(low) in data.COMMON_WORD_NAMES:
        return COMMON
    names = data.first_names()
    if low in data.WEEKDAYS or (low not in names and data.fold_accents(low) not in names):
        return NOT_A_NAME
    if low in _PUBLIC_WORDS:
        return PUBLIC
    return COMMON if len(low) <= 2 else NAME


def _key(word: str) -> str:
    return word.casefold().replace("'", "").replace("\u2019", "")


@cache
def _phrases() -> dict[str, list[tuple[str, ...]]]:
    """Public phrases by their first word, longest first."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in data.PUBLIC_PHRASES:
        keys = tuple(_key(word) for word in _TOKEN.findall(phrase))
        index.setdefault(keys[0], []).append(keys)
    for phrases in index.values():
        phrases.sort(key=len, reverse=True)
    return index


def _block(blocked: bytearray, start: int, end: int) -> None:
    blocked[start:end] = b"\1" * (end - start)


def _block_public_phrases(words: _Words, blocked: bytearray) -> None:
    index, matches = _phrases(), words.matches
    for i in words.upper_first():
        for phrase in index.get(_key(matches[i].group()), ()):
            last = i + len(phrase) - 1
            if last < len(matches) and all(
                _key(matches[i + k].group()) == phrase[k]
                and words.gap(_INSIDE_PHRASE, i + k - 1, i + k)
                for k in range(1, len(phrase))
            ):
                _block(blocked, matches[i].start(), matches[last].end())
                break


def _cue(words: _Words, i: int) -> str | None:
    """What the words just before word ``i`` say about it: title, naming, relative, ..."""
    if i == 0:
        return None
    before = words[i - 1]
    if (before.word in data.TITLES or before.low in data.TITLES_ANY_CASE) and words.gap(
        _AFTER_TITLE, i - 1, i
    ):
        return "title"
    if before.low in _ARTICLES and i >= 2 and words.gap(_SPACE, i - 1, i):
        i, before = i - 1, words[i - 2]  # "le dicen la Güera"
        if before.low not in _CUE_ENDINGS:
            return None
    if before.word in data.PLACE_PREFIXES and words.gap(_AFTER_TITLE, i - 1, i):
        return "place"
    if not words.gap(_AFTER_CUE, i - 1, i):
        return None
    if before.low in _CUE_ENDINGS:
        for size in (1, 2, 3):
            cue = tuple(words[k].low for k in range(max(0, i - size), i))
            if len(cue) == size and cue in data.NAMING_CUES:
                return "naming"
        between = words.text[before.stop : words[i].start]
        if before.low == "name" and (before.possessive or any(c in between for c in ':"\u201c')):
            return "naming"  # "her name's Hope", "Name: Hope", 'street name "Dre"'
    if before.low in data.RELATIVES:
        return "relative"
    if before.low in data.CONTACT_WORDS and words.gap(_SPACE, i - 1, i):
        return "contact"
    return None


def _in_organization(words: _Words, i: int, level: int, blocked: bytearray) -> bool:
    """Whether capitalised words after word ``i`` make it an organization, place or street."""
    for j in range(i + 1, min(i + 6, len(words))):
        previous, token = words[j - 1], words[j]
        if blocked[token.start]:
            return False  # "Maria Jackson County": a public name starts after hers
        after_initial = len(previous.low) == 1 or previous.low in _ABBREVIATIONS
        gap_ok = words.gap(_SPACE, j - 1, j) or (
            after_initial and words.text[previous.stop : previous.stop + 1] == "."
        )
        if previous.possessive or not gap_ok:
            return False
        if not token.word[0].isupper():
            if token.low in data.CONNECTORS:
                continue
            return False
        if token.low in _STREETS or token.low in data.ORG_NOUNS:
            return True
        if token.low in data.ORG_NOUNS_ALSO_SURNAMES and level != NAME:
            return True
    return False


def _surname_at(words: _Words, j: int, blocked: bytearray) -> bool:
    if j >= len(words) or not words.gap(_SPACE, j - 1, j):
        return False
    token = words[j]
    return (
        token.capitalised
        and len(token.word) >= 2
        and token.low not in data.NOT_SURNAMES
        and not any(blocked[token.start : token.end])
    )


def _name_start(words: _Words, i: int, blocked: bytearray) -> int | None:
    """Where the name at word ``i`` starts (with a title such as "Ms."), or None."""
    token = words[i]
    level, cue = _level(token.low), _cue(words, i)
    if cue == "place" or (level == NOT_A_NAME and cue not in ("title", "naming")):
        return None
    if _in_organization(words, i, level, blocked) or _after_organization_noun(words, i):
        return None
    if cue in ("title", "naming"):
        if token.low in _NOT_NAMES_AFTER_CUE:  # "known as the ...", "Detective Unit"
            return None
        return words[i - 1].start if cue == "title" else token.start
    if level == NAME or (cue == "relative" and level >= PUBLIC):
        return token.start
    if cue == "relative" and token.low not in data.NOT_SURNAMES:
        return token.start  # "su tía Chayo": a capitalised word after a relative
    if level == COMMON and (cue == "contact" or (token.possessive and token.low != "heaven")):
        return token.start
    surname = not words.shouting and _surname_at(words, i + 1, blocked)
    if surname and (level == NAME or _listed_surname(words[i + 1].low)):
        return token.start  # "Hope Williams", not "Mercedes Benz"
    return None


def _listed_surname(low: str) -> bool:
    listed = data.surnames()
    return (
        len(low) > 2
        and (low in listed or (not low.isascii() and data.fold_accents(low) in listed))
        and low not in data.NOT_SURNAMES
        and low not in data.FUNCTION_WORDS
    )


def _lower_case_surname(words: _Words, j: int) -> bool:
    """ "johnson" in "brittany johnson", not in "maria jackson county" or "ana del"."""
    low = words[j].low
    if low in data.PLACE_WORDS:
        after = words[j + 1].low if j + 1 < len(words) else ""
        if after in data.ORG_NOUNS or after in data.ORG_NOUNS_ALSO_SURNAMES:
            return False
        return data.fold_accents(low) in data.surnames()
    return _listed_surname(low) and _level(low) != COMMON


def _after_organization_noun(words: _Words, i: int) -> bool:
    """ "Iglesia Cristo Rey", "parroquia de San Juan Diego": a noun first names a place."""
    for j in range(i - 1, max(-1, i - 6), -1):
        token = words[j]
        if not words.gap(_SPACE, j, j + 1):
            return False
        if token.low in data.ORG_NOUNS_BEFORE:
            return True
        if not (token.word[0].isupper() or token.low in data.CONNECTORS):
            return False
    return False


def names(text: str, blocked: bytearray) -> list[Hit]:
    """Personal names in ``text`` outside ``blocked`` (which gains public phrases)."""
    words = _Words(text)
    _block_public_phrases(words, blocked)
    candidates = [
        i
        for i in words.upper_first()
        if words[i].capitalised and not any(blocked[words[i].start : words[i].end])
    ]
    found: dict[int, int] = {}  # word index -> start of the name
    for i in candidates:
        start = _name_start(words, i, blocked)
        if start is not None:
            found[i] = start
    # "Maria and Hope": an English-word name next to a name is a name too.
    for i in candidates:
        if i in found or _level(words[i].low) != COMMON:
            continue
        for j in (i - 1, i - 2, i + 1, i + 2):
            if j in found and words.gap(_CONJUNCTION, min(i, j), max(i, j)):
                found[i] = words[i].start
                break
    hits, covered = [], -1
    for i, start in sorted(found.items()):
        if i <= covered:
            continue  # "Jones" in "Destiny Jones"
        end, j = words[i].end, i + 1
        while (
            j <= i + 2
            and not words.shouting
            and not words[j - 1].possessive
            and _surname_at(words, j, blocked)
        ):
            end, covered, j = words[j].end, j, j + 1
        hits.append((start, end, "name"))
    hits.extend(_uncapitalised_names(words, blocked))
    return hits


def _same_case(first: str, word: str) -> bool:
    return word.islower() if first.islower() else word.isupper()


def _uncapitalised_names(words: _Words, blocked: bytearray) -> Iterator[Hit]:
    """ "jessica martinez", "MARIA LOPEZ", "her sister brianna", "la sra. espinoza"."""
    skip_to = -1
    first_names, surnames = data.first_names(), data.surnames()
    for i, match in enumerate(words.matches):
        low = match.group().casefold()
        if low.isascii() and low not in first_names and low not in surnames:
            continue  # most words: in neither list
        token = words[i]
        if i <= skip_to or token.capitalised or any(blocked[token.start : token.end]):
            continue
        if not (token.word.islower() or (token.word.isupper() and len(token.word) > 2)):
            continue
        level = _level(token.low)
        if level != NAME and not (
            token.low not in data.NOT_SURNAMES and _listed_surname(token.low)
        ):
            continue
        end, j = None, i + 1
        while level == NAME and j <= i + 2 and j < len(words) and words.gap(_SPACE, j - 1, j):
            following = words[j]
            if not _same_case(token.word, following.word):
                break
            if _lower_case_surname(words, j):
                end, skip_to = following.end, j
                break
            if _level(following.low) != NAME:
                break
            j += 1
        cue = _cue(words, i)
        if end is not None:
            yield token.start, end, "name"
        elif cue == "title":
            yield words[i - 1].start, token.end, "name"
        elif level == NAME and cue in ("naming", "relative"):
            yield token.start, token.end, "name"
