"""Identifiers with a fixed shape: phone, e-mail, Social Security, dates, street addresses.

Read on the ``clean`` view (``normalize.py``): number words are digits there already. Each
detector runs only if its text can be there. Decisions (each has a test):

- Public hotlines (``words.PUBLIC_PHONE_NUMBERS``) are yielded as ``public``: found, not refused.
- A street without a house number ("the motel on Main", "near Troost and Prospect") passes; a
  house number with a street, an apartment, a P.O. box, ZIP+4 or a state and ZIP is refused.
- Dates: day, month and year together are refused; month and year, or month and day, pass,
  except a month and day after a birth cue ("DOB", "born", "nació", "cumpleaños").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from referrals.identifiers import words as data

# (start, end, label key)
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
_DAY = r"(?:(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th|ro|[ºo°])?|primero)"
_YEAR = r"(?:(?:19|20)\d{2}|['\u2019]\d{2})(?!\d)"
_MONTH_INITIALS = "".join(sorted({m[0] for m in data.MONTHS}))
_DATE_WORDS = re.compile(
    # The look-ahead spares trying every month at every word.
    rf"\b(?=[{_MONTH_INITIALS}]){_MONTH}[ \t]+{_DAY},?[ \t]+(?:of[ \t]+|de[ \t]+)?{_YEAR}"
    rf"|\b(?=\d|primero){_DAY}[ \t]+(?:of[ \t]+|de[ \t]+)?{_MONTH},?[ \t]+(?:del?[ \t]+)?{_YEAR}",
    re.IGNORECASE,
)
_DATE_NUMBERS = re.compile(  # 3/14/2009, 14 - 03 - 2009, 2006.11.30
    r"(\d(?<![\w+.\-/$]\d)\d{0,3})[ \t]*([/.\-])[ \t]*(\d{1,2})[ \t]*\2[ \t]*(\d{4}|\d{2})" + _END
)
_BIRTH_CUE = (
    r"\b(?:DOB|D\.O\.B\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|born(?:[ \t]+on)?"
    r"|birth[ \t]?day|b-?day|naci[oó]|nacid[oa]|(?:fecha[ \t]+de[ \t]+)?nacimiento"
    r"|f\.?[ \t]?(?:de[ \t]?)?nac\.?|F\.?N\.?|cumplea[ñn]os|cumple[ \t]+a[ñn]os)"
)
_BIRTH_CUES = ("dob", "d.o.b", "birth", "born", "bday", "b-day", "nac", "fn", "f.n", "cumple")
_DATE_OF_BIRTH = re.compile(  # a month and day, or day and month, after a birth cue
    _BIRTH_CUE + r"[ \t:\-]*(?:(?:is|was|on|the|es|el|fue)[ \t]+){0,2}"
    rf"({_MONTH}[ \t]+{_DAY}|{_DAY}[ \t]+(?:of[ \t]+|de[ \t]+)?{_MONTH}"
    r"|\d{1,2}/\d{1,2}|\d{1,2}[ \t]+\d{1,2}[ \t]+(?:\d{4}|\d{2}))(?![\w/\-])",
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
            _HOUSE
            + rf"[A-Za-z]?(?:[ \t]+de)?(?:[ \t]+{_DIRECTION})?(?:[ \t]+{_STREET_WORD}){{1,4}}?"
            rf"[ \t]+{_cased(data.STREET_SUFFIXES)}\b\.?(?:,?[ \t]*(?:{_UNIT}))?",
            # 1234 main st
            _HOUSE
            + r"(?![ \t]+[ap]\.?m\b)(?:[ \t]+(?:[A-Za-z]+\.?|\d{1,3}(?:st|nd|rd|th))){1,3}[ \t]+"
            r"(?:st|ave|blvd|rd|ln|pkwy|hwy|ct|terr?|cir|dr|pl|street|avenue|road|drive)\b\.?",
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
    r"|(?i:\b(?:apto|apartamento|depto|dpto|departamento|lote?)\.?[ \t]*#?[ \t]*\d+[a-z]?\b)"
    r"(?![ \t]+(?:days?|weeks?|months?|years?|nights?|hours?|times?)\b)"
)
_BOX_OR_ZIP = re.compile(
    r"(?i:\b(?:P\.?[ \t]?O\.?|Post[ \t]+Office)[ \t]*Box[ \t]*#?[ \t]*\d+\b)"
    r"|(?i:\bzip(?:[ \t]?code)?[ \t:#]*\d{5}(?:-\d{4})?\b)"
    r"|(?i:\bapartado[ \t]+postal[ \t]*#?[ \t]*\d+\b)"
)
_STATE_ZIP = re.compile(r"\b([A-Z]{2}|Missouri|Kansas)\.?,?[ \t]+\d{5}(?:-\d{4})?(?![\w\-])")

CLIENT_CODES = re.compile(
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


def basic(text: str) -> Iterator[Hit]:
    """Every identifier but names; each detector runs only if its text can be there."""
    lowered = text.casefold()
    if "@" in text:
        yield from _matches(_EMAIL, "email", text)
    if "(at)" in lowered or "[at]" in lowered or (" at " in lowered and _SPELLED_TLD.search(text)):
        yield from _matches(_EMAIL_SPELLED, "email", text)
    if "@" in text or ".com/" in lowered:
        yield from _matches(_HANDLE, "handle", text)
    if any(cue in lowered for cue in ("box", "zip", "apartado")):
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
    if any(cue in lowered for cue in _BIRTH_CUES):
        yield from _matches(_DATE_OF_BIRTH, "date", text, group=1)
    yield from _matches(_STREET_ADDRESS, "address", text)
    for match in _STATE_ZIP.finditer(text):
        if match.group(1).casefold() in data.US_STATES:
            yield match.start(), match.end(), "address"
