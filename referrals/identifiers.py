"""The identifier guard: free text about a client must not name, reach or locate them.

``find_identifiers`` looks for phone numbers, e-mail addresses, Social Security numbers, full
dates, street addresses and personal names; ``describe`` turns the findings into the message a
caseworker sees; ``NoIdentifiers`` is the same check as a WTForms validator. Nothing here
saves or logs the text: the caller refuses the whole note.

Decisions (each has a test in ``tests/test_identifiers.py``):

- Public hotlines (``identifier_data.PUBLIC_PHONE_NUMBERS``: the trafficking hotline, ICE's tip
  line, ...) pass, because caseworkers write down that they gave one; any other phone-shaped
  number is refused. A six-digit text short code (233733) is not phone-shaped.
- A street without a house number ("the motel on Main", "near Troost and Prospect") passes:
  it places an area, not a person. A house number with a street ("3936 Troost") is refused,
  and so are "Apt 4B", P.O. boxes, ZIP+4 and a state followed by a ZIP code.
- Dates: day, month and year together are refused; month and year ("March 2024") or month and
  day ("March 14") pass, except a month and day after "DOB", "born" or "birthday".
- Names: capitalised words found in a first-name list. Names that are also English words
  ("Hope", "Will"), months, places and languages count only with a cue ("named Hope",
  "her sister Grace", "Ms. Johnson") or a surname ("Hope Williams"). Lower-case words are
  never names; all-capital words are only when the whole text is written in capitals.
- "@handles" and social media profile links are reported as a kind of name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from referrals import identifier_data as data

LABELS = {
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "handle": _l("a social media account"),
    "ssn": _l("a Social Security number"),
    "date": _l("a full date (such as a date of birth)"),
    "address": _l("a street address"),
    "name": _l("a personal name"),
}
EXCERPTS_PER_LABEL = 3


@dataclass(frozen=True)
class Finding:
    """One identifier found in a text."""

    kind: str  # phone, email, ssn, date, address or name
    label: str  # what it is, translated, e.g. "a phone number"
    excerpt: str  # the matched text as written


# (start, end, label key): the kind is the label key, except that a handle is a name.
Hit = tuple[int, int, str]

# Patterns -------------------------------------------------------------------------------------
# Most start with a digit and check what precedes it with a look-behind, so that the regex
# engine can skip ahead to the next digit: a 2,000-character note takes a few milliseconds.

_NUMBER_START = r"\d(?<![\w+.\-/$]\d)"  # a digit that does not continue a word, number or amount
_END = r"(?![\w\-/]|[.,]\d)"  # and a number that does not go on
_SEP = r"(?:[ \t]*[.\-–][ \t]*|[ \t]+)?"

_EMAIL = re.compile(r"[\w.%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_EMAIL_SPELLED = re.compile(  # maria (at) gmail (dot) com
    r"\b[\w.+\-]+[ \t]*(?:\(at\)|\[at\]|[ \t]at[ \t])[ \t]*[\w\-]+"
    r"(?:[ \t]*(?:\.|\(dot\)|\[dot\]|[ \t]dot[ \t])[ \t]*[\w\-]+)*?"
    r"[ \t]*(?:\.|\(dot\)|\[dot\]|[ \t]dot[ \t])[ \t]*(?:com|net|org|edu|gov|us|mx|me|info)\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"(?<![\w@.])@[A-Za-z_][\w.]{1,29}\w"
    r"|\b(?:facebook|fb|instagram|tiktok|twitter|x|snapchat)\.com/[\w.\-]+",
    re.IGNORECASE,
)
_SSN = re.compile(_NUMBER_START + r"\d{2}([ \-])\d{2}\1\d{4}" + _END)
_SSN_LABELLED = re.compile(
    r"\b(?:SSN|SS[ \t]?#|SS[ \t]?No\b\.?|social[ \t]+security(?:[ \t]+(?:number|no\b\.?|#))?"
    r"|soc\.?[ \t]*sec\.?|ITIN)[ \t]*(?:#|number|no\.|is|was|:|-)*[ \t]*"
    r"(\d{3}[ .\-]?\d{2}[ .\-]?\d{4})(?!\d)",
    re.IGNORECASE,
)
_PHONE_END = r"(?![\d/]|[\-.,]\d|(?!x\d|ext)[^\W\d_])"  # an extension may follow: x12, ext. 12
_PHONE_US = re.compile(
    r"(?<![\w+.\-/$])(?:\+?1"
    + _SEP
    + r")?(?:\([ \t]*\d{3}[ \t]*\)|\d{3})"
    + _SEP
    + r"\d{3}"
    + _SEP
    + r"\d{4}"
    + _PHONE_END
)
_PHONE_LOCAL = re.compile(r"[2-9](?<![\w+.\-/$][2-9])\d{2}[.\-]\d{4}" + _PHONE_END)
_PHONE_INTERNATIONAL = re.compile(
    r"(?:(?<![\w+])\+|\b011[ \t]?)[1-9]\d{0,2}(?:[ \t.\-]?\(?\d{1,5}\)?){1,6}(?!\d)"
)

_MONTH = "(?:" + "|".join(sorted(data.MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d{2}|['\u2019]\d{2})(?!\d)"
_MONTH_INITIALS = "".join(sorted({m[0] for m in data.MONTHS}))
_DATE_WORDS = re.compile(
    # The look-ahead spares trying every month at every word.
    rf"\b(?=[{_MONTH_INITIALS}]){_MONTH}[ \t]+{_DAY},?[ \t]+(?:of[ \t]+|de[ \t]+)?{_YEAR}"
    rf"|\b(?=\d){_DAY}[ \t]+(?:of[ \t]+|de[ \t]+)?{_MONTH},?[ \t]+(?:del?[ \t]+)?{_YEAR}",
    re.IGNORECASE,
)
_DATE_NUMBERS = re.compile(r"(\d(?<![\w+.\-/$]\d)\d{0,3})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _END)
_DATE_OF_BIRTH = re.compile(
    r"\b(?:DOB|D\.O\.B\.?|date[ \t]+of[ \t]+birth|born(?:[ \t]+on)?|birth[ \t]?day|b-?day)"
    rf"[ \t:\-]*(?:is[ \t]+|was[ \t]+|on[ \t]+)?({_MONTH}[ \t]+{_DAY}|{_DAY}[ \t]+(?:of[ \t]+)?"
    rf"{_MONTH}|\d{{1,2}}/\d{{1,2}})(?![\w/\-])",
    re.IGNORECASE,
)


def _cased(words: frozenset[str] | tuple[str, ...]) -> str:
    variants = {form for word in words for form in (word.capitalize(), word.upper())}
    return "(?:" + "|".join(sorted(variants, key=len, reverse=True)) + ")"


_DIRECTION = r"(?:[NSEW]\.?|North|South|East|West|[NS]\.?[EW]\.?)"
_STREET_WORD = (
    r"(?!(?:County|City|Family|Juvenile|Municipal|District|Circuit)\b)"
    r"(?:[A-Z][A-Za-z'\u2019\-]*|\d{1,3}(?:st|nd|rd|th))"
)
_UNIT = (
    r"(?:Apt|APT|apt|Ste|STE|ste)\.?[ \t]*#?[ \t]*(?:\d+[A-Za-z]?|[A-Z])\b"
    r"|(?:Apartment|Suite|Unit)[ \t]+#?[ \t]*\d+[A-Za-z]?\b"
    r"(?![ \t]+(?:days?|weeks?|months?|years?|nights?|hours?|times?)\b)"
)
_HOUSE = _NUMBER_START + r"\d{0,5}"
_STREET_ADDRESS = re.compile(
    "|".join(
        (
            # 3936 Troost Ave, 1200 E 12th St., Apt 4B
            _HOUSE + rf"[A-Za-z]?(?:[ \t]+{_DIRECTION})?(?:[ \t]+{_STREET_WORD}){{1,4}}?"
            rf"[ \t]+{_cased(data.STREET_SUFFIXES)}\b\.?(?:,?[ \t]*(?:{_UNIT}))?",
            # 1234 main st
            _HOUSE + r"(?:[ \t]+(?:[a-z]+|\d{1,3}(?:st|nd|rd|th))){1,3}[ \t]+"
            r"(?:st|ave|blvd|rd|ln|pkwy|hwy|ct|ter|cir)\b\.?",
            # 3936 Troost
            _HOUSE + rf"(?:[ \t]+[NSEW]\.?)?[ \t]+(?:{'|'.join(data.KC_BARE_STREETS)})\b",
            # ZIP+4
            _NUMBER_START + r"\d{4}-\d{4}(?![\w\-])",
        )
    )
)
# Literal first, word boundary checked after it, so the engine can skip to candidates.
_UNIT_ALONE = re.compile(  # a suite alone is an office's; a client's home has an apartment
    r"(?:A(?<!\wA)(?:pt|PT)|a(?<!\wa)pt)\.?[ \t]*#?[ \t]*(?:\d+[A-Za-z]?|[A-Z])\b"
    r"|(?:A(?<!\wA)partment|U(?<!\wU)nit)[ \t]+#?[ \t]*\d+[A-Za-z]?\b"
    r"(?![ \t]+(?:days?|weeks?|months?|years?|nights?|hours?|times?)\b)"
)
_BOX_OR_ZIP = re.compile(
    r"(?i:\b(?:P\.?[ \t]?O\.?|Post[ \t]+Office)[ \t]*Box[ \t]*#?[ \t]*\d+\b)"
    r"|(?i:\bzip(?:[ \t]?code)?[ \t:#]*\d{5}(?:-\d{4})?\b)"
)
_STATE_ZIP = re.compile(r"\b([A-Z]{2}|Missouri|Kansas)\.?,?[ \t]+\d{5}(?:-\d{4})?(?![\w\-])")

_CLIENT_CODES = re.compile(
    r"\bKC-[0-9A-Z]{4}-[0-9A-Z]{4}\b|\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b", re.IGNORECASE
)
_DIGIT = re.compile(r"\d")
_SPELLED_TLD = re.compile(r"(?:\.|\bdot\b\W*)(?:com|net|org|edu|gov|us|mx|me|info)\b", re.I)


def _matches(pattern: re.Pattern[str], label: str, text: str, group: int = 0) -> Iterator[Hit]:
    for match in pattern.finditer(text):
        yield match.start(group), match.end(group), label


def _phones(text: str, international: bool) -> Iterator[Hit]:
    """Phone-shaped numbers; public hotlines are yielded as ``public``: found, not refused."""
    for pattern in (_PHONE_US, _PHONE_INTERNATIONAL, _PHONE_LOCAL):
        if pattern is _PHONE_INTERNATIONAL and not international:
            continue
        for match in pattern.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if pattern is _PHONE_INTERNATIONAL and not 8 <= len(digits) <= 15:
                continue
            national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
            public = national in data.PUBLIC_PHONE_NUMBERS
            yield match.start(), match.end(), "public" if public else "phone"


def _is_date(first: str, second: str, last: str) -> bool:
    """Day, month and year in some order: 3/14/2009, 14.03.09, 2009-03-14."""
    a, b, c = int(first), int(second), int(last)
    if len(first) == 4:
        return 1900 <= a <= 2099 and 1 <= b <= 12 and 1 <= c <= 31 and len(last) == 2
    if len(first) == 3 or (len(last) == 4 and not 1900 <= c <= 2099):
        return False
    return 1 <= a <= 31 and 1 <= b <= 31 and min(a, b) <= 12


def _patterns(text: str) -> Iterator[Hit]:
    """Every identifier but names; each detector runs only if its text can be there."""
    lowered = text.casefold()
    if "@" in text:
        yield from _matches(_EMAIL, "email", text)
    if "(at)" in lowered or "[at]" in lowered or (" at " in lowered and _SPELLED_TLD.search(text)):
        yield from _matches(_EMAIL_SPELLED, "email", text)
    if "@" in text or ".com/" in lowered:
        yield from _matches(_HANDLE, "handle", text)
    if any(cue in lowered for cue in ("box", "zip")):
        yield from _matches(_BOX_OR_ZIP, "address", text)
    yield from _matches(_UNIT_ALONE, "address", text)
    if not _DIGIT.search(text):
        return
    if any(cue in lowered for cue in ("ssn", "ss#", "ss ", "soc", "itin")):
        yield from _matches(_SSN_LABELLED, "ssn", text, group=1)
    yield from _matches(_SSN, "ssn", text)
    yield from _phones(text, international="+" in text or "011" in text)
    yield from _matches(_DATE_WORDS, "date", text)
    for match in _DATE_NUMBERS.finditer(text):
        if _is_date(match.group(1), match.group(3), match.group(4)):
            yield match.start(), match.end(), "date"
    if any(cue in lowered for cue in ("dob", "d.o.b", "birth", "born", "bday", "b-day")):
        yield from _matches(_DATE_OF_BIRTH, "date", text, group=1)
    yield from _matches(_STREET_ADDRESS, "address", text)
    for match in _STATE_ZIP.finditer(text):
        if match.group(1).casefold() in data.US_STATES:
            yield match.start(), match.end(), "address"


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


def _level(low: str) -> int:
    if low in data.COMMON_WORD_NAMES:
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
    if before.word in data.TITLES and words.gap(_AFTER_TITLE, i - 1, i):
        return "title"
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
    if _in_organization(words, i, level, blocked):
        return None
    if cue in ("title", "naming"):
        if token.low in _NOT_NAMES_AFTER_CUE:  # "known as the ...", "Detective Unit"
            return None
        return words[i - 1].start if cue == "title" else token.start
    if level == NAME or (cue == "relative" and level >= PUBLIC):
        return token.start
    if level == COMMON and (cue == "contact" or (token.possessive and token.low != "heaven")):
        return token.start
    if not words.shouting and _surname_at(words, i + 1, blocked):
        return token.start
    return None


def _names(text: str, blocked: bytearray) -> list[Hit]:
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
    return hits


# The API --------------------------------------------------------------------------------------


def find_identifiers(text: str | None) -> list[Finding]:
    """Every identifier in ``text``, in order of appearance, each excerpt once."""
    if not text or text.isspace():
        return []
    blocked = bytearray(len(text))  # where a finding, a client code or a public phrase is
    for match in _CLIENT_CODES.finditer(text):
        _block(blocked, match.start(), match.end())
    hits: list[Hit] = []
    for start, end, label in sorted(_patterns(text), key=lambda hit: (hit[0], -hit[1])):
        if not any(blocked[start:end]):
            _block(blocked, start, end)
            if label != "public":
                hits.append((start, end, label))
    hits.extend(_names(text, blocked))

    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for start, end, label in sorted(hits):
        excerpt = text[start:end].strip()
        key = (label, " ".join(excerpt.casefold().split()))
        if key not in seen:
            seen.add(key)
            kind = "name" if label == "handle" else label
            findings.append(Finding(kind=kind, label=str(LABELS[label]), excerpt=excerpt))
    return findings


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def describe(findings: list[Finding]) -> str:
    """The refusal message: what was found (a few excerpts of each), and what to do instead."""
    if not findings:
        return ""
    excerpts: dict[str, list[str]] = {}
    for finding in findings:
        shown = excerpts.setdefault(finding.label, [])
        if len(shown) < EXCERPTS_PER_LABEL:
            shown.append(f'"{finding.excerpt}"')
    items = [
        _("%(what)s (%(excerpts)s)", what=label, excerpts=", ".join(shown))
        for label, shown in excerpts.items()
    ]
    return _(
        "This text seems to contain %(items)s. "
        "Remove identifying details: use the client code instead.",
        items=_join(items),
    )


class NoIdentifiers:
    """WTForms validator: refuses a field whose text contains a personal identifier."""

    field_flags: dict[str, Any] = {}  # noqa: RUF012 - WTForms reads it as a class attribute

    def __call__(self, form: Any, field: Any) -> None:
        findings = find_identifiers(field.data if isinstance(field.data, str) else None)
        if findings:
            raise ValidationError(describe(findings))
