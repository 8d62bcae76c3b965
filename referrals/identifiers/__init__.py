"""The identifier guard: free text about a client must not name, reach or locate them.

``find_identifiers`` reads a note in English or Spanish, through the disguises people use
(numbers in words, "oh" for zero, digits split over lines, invisible characters, "arroba" for
"@", lower-case names), and reports what would identify a client; ``describe`` turns the
findings into the refusal a caseworker sees; ``NoIdentifiers`` is the same check as a WTForms
validator. Nothing here saves or logs the text: the caller refuses the whole note.

The recognizers, each in its module: ``patterns`` (shaped identifiers, as written),
``numbers`` (phone and Social Security numbers however grouped, via ``phonenumbers``),
``emails`` (spelled-out addresses), ``addresses`` (bare streets, via ``usaddress``),
``context`` (handles, plates, documents, cases, schools: a weak pattern after a context word)
and ``names`` (on the words and cues of ``tokens``). ``normalize`` builds the views they
read, each mapped back to the text as written so that a refusal quotes the writer's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wtforms.validators import ValidationError

from referrals.identifiers import addresses, context, emails, names, numbers, patterns
from referrals.identifiers.message import LABELS, describe
from referrals.identifiers.normalize import View, clean_view, joined_view, unicode_view

__all__ = ["LABELS", "Finding", "NoIdentifiers", "describe", "find_identifiers"]

Hit = tuple[int, int, str]

# When two findings overlap, the one that starts first wins; at the same start, the longer;
# at the same span, the more specific kind (a passport number is not "a phone number").
_RANK = {
    "public": 0,
    "id_number": 1,
    "case_number": 1,
    "plate": 1,
    "ssn": 2,
    "email": 2,
    "handle": 3,
    "date": 3,
    "address": 4,
    "phone": 5,
    "school": 5,
}


@dataclass(frozen=True)
class Finding:
    """One identifier found in a text."""

    kind: str  # a key of ``LABELS``: phone, email, handle, ssn, date, address, name, ...
    label: str  # what it is, translated, e.g. "a phone number"
    excerpt: str  # the text as written


def _mapped(view: View, hits: Iterator[Hit]) -> Iterator[Hit]:
    for start, end, label in hits:
        if start < end:
            first, last = view.original(start, end)
            yield first, last, label


def _hits(unicode: View) -> Iterator[Hit]:
    """Every finding but names, as spans of the text as written."""
    clean = clean_view(unicode)
    yield from _mapped(clean, patterns.basic(clean.text))
    yield from _mapped(clean, context.contextual(clean.text))
    yield from _mapped(clean, addresses.addresses(clean.text))
    yield from _mapped(clean, numbers.last_four(clean.text))
    spelled = emails.spelled_view(clean)
    if spelled is not None:
        yield from _mapped(spelled, emails.emails(spelled.text))
    joined = joined_view(clean)
    yield from _mapped(joined, numbers.phones(joined.text))
    yield from _mapped(joined, numbers.social_security(joined.text))


def _names(text: str, unicode: View, blocked: bytearray) -> list[Hit]:
    """Names, read on the text without invisible characters, outside what is ``blocked``."""
    if unicode.text == text:  # nothing was rewritten
        return names.names(text, blocked)
    view_blocked = bytearray(blocked[start] for start in unicode.starts)
    return list(_mapped(unicode, iter(names.names(unicode.text, view_blocked))))


def _block(blocked: bytearray, start: int, end: int) -> None:
    blocked[start:end] = b"\1" * (end - start)


def find_identifiers(text: str | None) -> list[Finding]:
    """Every identifier in ``text``, in order of appearance, each excerpt once."""
    if not text or text.isspace():
        return []
    blocked = bytearray(len(text))  # where a finding, a client code or a public phrase is
    for match in patterns.CLIENT_CODES.finditer(text):
        _block(blocked, match.start(), match.end())
    hits: list[Hit] = []
    unicode = unicode_view(text)
    ordered = sorted(set(_hits(unicode)), key=lambda hit: (hit[0], -hit[1], _RANK[hit[2]]))
    for start, end, label in ordered:
        if not any(blocked[start:end]):
            _block(blocked, start, end)
            if label != "public":
                hits.append((start, end, label))
    hits.extend(_names(text, unicode, blocked))

    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for start, end, label in sorted(hits):
        excerpt = text[start:end].strip()
        key = (label, " ".join(excerpt.casefold().split()))
        if key not in seen:
            seen.add(key)
            findings.append(Finding(kind=label, label=str(LABELS[label]), excerpt=excerpt))
    return findings


class NoIdentifiers:
    """WTForms validator: refuses a field whose text contains a personal identifier."""

    field_flags: dict[str, Any] = {}  # noqa: RUF012 - WTForms reads it as a class attribute

    def __call__(self, form: Any, field: Any) -> None:
        findings = find_identifiers(field.data if isinstance(field.data, str) else None)
        if findings:
            raise ValidationError(describe(findings))
