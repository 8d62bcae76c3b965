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

from referrals.identifiers import words as data
from referrals.identifiers.tokens import (
    COMMON,
    NAME,
    NOT_A_NAME,
    PUBLIC,
    SPACE,
    Words,
    block_public_phrases,
    cue_before,
    listed_surname,
    name_level,
)

Hit = tuple[int, int, str]

_CONJUNCTION = re.compile(r"[ \t]*(?:,|&|,?[ \t]*and|,?[ \t]*or)[ \t]*")
_ABBREVIATIONS = frozenset({"st", "jr", "sr", "dr", "mt", "ft"})
_STREETS = data.STREET_SUFFIXES - data.ORG_NOUNS_ALSO_SURNAMES
_NOT_NAMES_AFTER_CUE = data.NOT_NAMES_AFTER_CUE | data.ORG_NOUNS | {"unit", "court", "courts"}


def _in_organization(words: Words, i: int, level: int, blocked: bytearray) -> bool:
    """Whether capitalised words after word ``i`` make it an organization, place or street."""
    for j in range(i + 1, min(i + 6, len(words))):
        previous, token = words[j - 1], words[j]
        if blocked[token.start]:
            return False  # "Maria Jackson County": a public name starts after hers
        after_initial = len(previous.low) == 1 or previous.low in _ABBREVIATIONS
        gap_ok = words.gap(SPACE, j - 1, j) or (
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


def _surname_at(words: Words, j: int, blocked: bytearray) -> bool:
    if j >= len(words) or not words.gap(SPACE, j - 1, j):
        return False
    token = words[j]
    return (
        token.capitalised
        and len(token.word) >= 2
        and token.low not in data.NOT_SURNAMES
        and not any(blocked[token.start : token.end])
    )


def _name_start(words: Words, i: int, blocked: bytearray) -> int | None:
    """Where the name at word ``i`` starts (with a title such as "Ms."), or None."""
    token = words[i]
    level, cue = name_level(token.low), cue_before(words, i)
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
    if surname and (level == NAME or listed_surname(words[i + 1].low)):
        return token.start  # "Hope Williams", not "Mercedes Benz"
    return None


def _lower_case_surname(words: Words, j: int) -> bool:
    """ "johnson" in "brittany johnson", not in "maria jackson county" or "ana del"."""
    low = words[j].low
    if low in data.PLACE_WORDS:
        after = words[j + 1].low if j + 1 < len(words) else ""
        if after in data.ORG_NOUNS or after in data.ORG_NOUNS_ALSO_SURNAMES:
            return False
        return data.fold_accents(low) in data.surnames()
    return listed_surname(low) and name_level(low) != COMMON


def _after_organization_noun(words: Words, i: int) -> bool:
    """ "Iglesia Cristo Rey", "parroquia de San Juan Diego": a noun first names a place."""
    for j in range(i - 1, max(-1, i - 6), -1):
        token = words[j]
        if not words.gap(SPACE, j, j + 1):
            return False
        if token.low in data.ORG_NOUNS_BEFORE:
            return True
        if not (token.word[0].isupper() or token.low in data.CONNECTORS):
            return False
    return False


def names(text: str, blocked: bytearray) -> list[Hit]:
    """Personal names in ``text`` outside ``blocked`` (which gains public phrases)."""
    words = Words(text)
    block_public_phrases(words, blocked)
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
        if i in found or name_level(words[i].low) != COMMON:
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


def _uncapitalised_names(words: Words, blocked: bytearray) -> Iterator[Hit]:
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
        level = name_level(token.low)
        if level != NAME and not (token.low not in data.NOT_SURNAMES and listed_surname(token.low)):
            continue
        end, j = None, i + 1
        while level == NAME and j <= i + 2 and j < len(words) and words.gap(SPACE, j - 1, j):
            following = words[j]
            if not _same_case(token.word, following.word):
                break
            if _lower_case_surname(words, j):
                end, skip_to = following.end, j
                break
            if name_level(following.low) != NAME:
                break
            j += 1
        cue = cue_before(words, i)
        if end is not None:
            yield token.start, end, "name"
        elif cue == "title":
            yield words[i - 1].start, token.end, "name"
        elif level == NAME and cue in ("naming", "relative"):
            yield token.start, token.end, "name"
