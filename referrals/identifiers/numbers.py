"""Phone and Social Security numbers however they are grouped, read on the ``joined`` view.

Phone numbers are found by Google's libphonenumber (``phonenumbers``): its matcher, for the
U.S. and Mexico, on the text whose digit groups were joined, so "816 55 50 1 44",
"816\\n555\\n0199" and "eight one six five five five ..." are all "8165550144"-like runs to it.
Public hotlines pass. Nine digits are a Social Security number after a context word ("SSN",
"social", "seguro social"), and four after "last four" / "últimos cuatro" with one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from referrals.identifiers import words as data

Hit = tuple[int, int, str]

# Where a phone number can be in the joined view: seven digits or more, a "+" or "(" before.
_CANDIDATE = re.compile(r"(?:\+[ \t]*|\([ \t]*)?\d{7,}")
_LENIENCY = phonenumbers.Leniency.VALID
_EXTENSION = re.compile(r"[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d+$", re.IGNORECASE)
_REGIONS = ("US", "MX")
_SSN_CUE = re.compile(
    r"\b(?:ssn|ss[ \t]?(?:#|no\b|number|num\b)|social(?:[ \t]+security)?|soc\.?[ \t]*sec"
    r"|seguro[ \t]+social|itin)(?!\w)",
    re.IGNORECASE,
)
_NINE = re.compile(r"(?<![\d$.,])\d{9}(?!\d)")
_LAST_FOUR = re.compile(
    r"\b(?:last[ \t]+(?:four|4)|(?:[uú]ltimos?)[ \t]+(?:cuatro|4)|ends?(?:[ \t]+(?:in|with))?"
    r"|ending[ \t]+in|termina[ \t]+en|terminaci[oó]n)\b[^\n.;\d]{0,30}?(?<!\d)"
    r"(?P<v>\d(?:[ \t,-]{0,2}\d){3})(?![ \t,-]{0,2}\d)",
    re.IGNORECASE,
)
_WINDOW = 40  # characters before a number where a context word counts


def _public(number: phonenumbers.PhoneNumber) -> bool:
    return str(number.national_number) in data.PUBLIC_PHONE_NUMBERS


def phones(text: str) -> Iterator[Hit]:
    """Phone numbers libphonenumber finds valid for the U.S. or Mexico; hotlines as public.

    The matcher reads each candidate run on its own: given a whole note, it would try every
    amount, time and count in it.
    """
    for candidate in _CANDIDATE.finditer(text):
        offset = candidate.start()
        window = text[offset : candidate.end() + 12]  # an extension may follow
        for region in _REGIONS:
            found = False
            for match in phonenumbers.PhoneNumberMatcher(window, region, _LENIENCY):
                found = True
                label = "public" if _public(match.number) else "phone"
                extension = _EXTENSION.search(match.raw_string)  # quoted without "x12"
                end = match.start + (extension.start() if extension else len(match.raw_string))
                yield offset + match.start, offset + end, label
            if found:
                break


def _after_cue(text: str, start: int) -> bool:
    return _SSN_CUE.search(text, max(0, start - _WINDOW), start) is not None


def _has_cue(text: str) -> bool:
    lowered = text.casefold()
    return any(cue in lowered for cue in ("ss", "soc", "seguro", "itin"))


def social_security(joined: str) -> Iterator[Hit]:
    """Nine digits, however grouped, after a Social Security context word."""
    if _has_cue(joined):
        for match in _NINE.finditer(joined):
            if _after_cue(joined, match.start()):
                yield match.start(), match.end(), "ssn"


def last_four(text: str) -> Iterator[Hit]:
    """ "last four of her SSN are 6789", "últimos cuatro del seguro social: 5 5 2 1"."""
    if not _has_cue(text):
        return
    for match in _LAST_FOUR.finditer(text):
        if _after_cue(text, match.start("v")) or _SSN_CUE.search(
            text, match.end(), match.end() + 25
        ):
            yield match.start("v"), match.end("v"), "ssn"
