"""The words of a note, how strongly each reads as a name, and the cues before it.

``names.py`` decides what is a name from these: a capitalised word's level (a first name,
an ordinary word that is also a name, a public word such as a month or a place, or nothing),
the cue just before it (a title, "named", a relative, "texted"...), and the public phrases
("Veronica's Voice", "Jackson County") that no name can start inside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import NamedTuple

from referrals.identifiers import words as data

_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
SPACE = re.compile(r"[ \t]+")
_AFTER_TITLE = re.compile(r"\.?[ \t]+")
_AFTER_CUE = re.compile(r"[ \t\"'\u201c\u201d\u2018\u2019(,:.]*")
_INSIDE_PHRASE = re.compile(r"[ \t.]*")
_POSSESSIVE = frozenset({"'s", "'S", "\u2019s", "\u2019S"})
_PUBLIC_WORDS = data.MONTHS | data.PLACE_WORDS | data.LANGUAGE_WORDS
_CUE_ENDINGS = frozenset(cue[-1] for cue in data.NAMING_CUES) | {"name"}
_ARTICLES = frozenset({"la", "el"})

# How strongly a capitalised word reads as a name by itself.
NOT_A_NAME, PUBLIC, COMMON, NAME = range(4)


class Token(NamedTuple):
    start: int
    end: int  # of the word without a possessive 's
    stop: int  # of the whole token
    word: str  # without a possessive 's
    low: str
    possessive: bool
    capitalised: bool


class Words:
    """The words of a text, each looked at only when a capitalised word needs it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(_TOKEN.finditer(text))
        upper = sum(map(str.isupper, text))
        self.shouting = upper >= 4 and upper > 3 * sum(map(str.islower, text))
        self._tokens: dict[int, Token] = {}

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, i: int) -> Token:
        token = self._tokens.get(i)
        if token is None:
            token = self._tokens[i] = self._token(i)
        return token

    def _token(self, i: int) -> Token:
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
        return Token(start, end, stop, base, base.casefold(), possessive, capitalised)

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
def name_level(low: str) -> int:
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


def block(blocked: bytearray, start: int, end: int) -> None:
    blocked[start:end] = b"\1" * (end - start)


def block_public_phrases(words: Words, blocked: bytearray) -> None:
    index, matches = _phrases(), words.matches
    for i in words.upper_first():
        for phrase in index.get(_key(matches[i].group()), ()):
            last = i + len(phrase) - 1
            if last < len(matches) and all(
                _key(matches[i + k].group()) == phrase[k]
                and words.gap(_INSIDE_PHRASE, i + k - 1, i + k)
                for k in range(1, len(phrase))
            ):
                block(blocked, matches[i].start(), matches[last].end())
                break


def cue_before(words: Words, i: int) -> str | None:
    """What the words just before word ``i`` say about it: title, naming, relative, ..."""
    if i == 0:
        return None
    before = words[i - 1]
    if (before.word in data.TITLES or before.low in data.TITLES_ANY_CASE) and words.gap(
        _AFTER_TITLE, i - 1, i
    ):
        return "title"
    if before.low in _ARTICLES and i >= 2 and words.gap(SPACE, i - 1, i):
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
    if before.low in data.CONTACT_WORDS and words.gap(SPACE, i - 1, i):
        return "contact"
    return None


def listed_surname(low: str) -> bool:
    listed = data.surnames()
    return (
        len(low) > 2
        and (low in listed or (not low.isascii() and data.fold_accents(low) in listed))
        and low not in data.NOT_SURNAMES
        and low not in data.FUNCTION_WORDS
    )
