"""House numbers on a bare street name after a locating word, read by ``usaddress``.

``patterns.py`` finds addresses with a street type or a unit ("3936 Troost Ave", "Apt 4B").
What it cannot tell is "she sleeps at the house on 5412 Wabash" or "vive en la 2615 avenida
Summit": a number and a name. Here a locating word ("at", "on", "lives", "vive en", "casa
de") must come just before the number, and usaddress's CRF model must read the words as an
address number and a street name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import usaddress

from referrals.identifiers import words as data

Hit = tuple[int, int, str]

_CANDIDATE = re.compile(
    r"(?<![\w$.,/:#-])\d{3,6}[ \t]+(?![ap]\.?m\b)[A-Za-z][\w'.]*(?:[ \t]+[A-Za-z0-9][\w'.#]*){0,3}"
)
_LOCATING = re.compile(
    r"\b(?:at|on|en|de|lives?|living|stays?|staying|sleeps?|vive|viven|queda|address"
    r"|direcci[oó]n|casa|house|home)[ \t]+(?:the[ \t]+|la[ \t]+|el[ \t]+)?$",
    re.IGNORECASE,
)
_ADDRESS_PARTS = {
    "AddressNumber",
    "StreetNamePreDirectional",
    "StreetNamePreModifier",
    "StreetNamePreType",
    "StreetName",
    "StreetNamePostType",
    "StreetNamePostDirectional",
    "OccupancyType",
    "OccupancyIdentifier",
}
_STREET_TYPES = {"StreetNamePostType", "StreetNamePreType", "OccupancyType", "OccupancyIdentifier"}
_SPANISH_STREET_TYPES = frozenset({"calle", "avenida", "av", "bulevar", "camino", "carretera"})
_NOT_STREETS = (
    data.MONTHS
    | data.WEEKDAYS
    | data.ORG_NOUNS
    | data.NOT_NAMES_AFTER_CUE
    | data.FUNCTION_WORDS
    | data.QUANTITY_WORDS
)


def addresses(text: str) -> Iterator[Hit]:
    for match in _CANDIDATE.finditer(text):
        if not _LOCATING.search(text, max(0, match.start() - 30), match.start()):
            continue
        try:
            parsed = usaddress.parse(match.group())
        except Exception:  # noqa: S112 - an unreadable candidate is not an address
            continue
        labels = [label for _, label in parsed]
        if len(parsed) < 2 or labels[0] != "AddressNumber":
            continue
        street = parsed[1][0].strip(".,").casefold()
        if street in _NOT_STREETS or not any(label == "StreetName" for label in labels[1:3]):
            continue
        typed = street in _SPANISH_STREET_TYPES or any(label in _STREET_TYPES for label in labels)
        if typed or parsed[1][0][:1].isupper():
            yield match.start(), match.start() + _address_end(match.group(), parsed), "address"


def _address_end(candidate: str, parsed: list[tuple[str, str]]) -> int:
    """Where the address parts end in ``candidate``: "815 w 39th st", not "... st some"."""
    end = position = 0
    for token, label in parsed:
        position = candidate.index(token, position) + len(token)
        if label not in _ADDRESS_PARTS:
            break
        end = position - (len(token) - len(token.rstrip(".,")))
    return end
