"""The refusal: which kinds were found, quoted as written, and how to say it instead.

Every string goes through gettext, so the refusal reads in the user's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:
    from referrals.identifiers import Finding

LABELS = {
    "phone": _l("a phone number"),
    "email": _l("an e-mail address"),
    "handle": _l("a social media account"),
    "ssn": _l("a Social Security number"),
    "date": _l("a full date (such as a date of birth)"),
    "address": _l("a street address"),
    "name": _l("a personal name"),
    "plate": _l("a license plate"),
    "id_number": _l("an ID document number (driver's license, state ID, passport, A-number)"),
    "case_number": _l("a court or case number"),
    "school": _l("a named school with the child's grade"),
}
# How to say the same without the identifier, one example per kind.
REPHRASE = {
    "name": _l("write “her aunt”, not her name"),
    "phone": _l("write “has a phone, prefers texts”, not the number"),
    "email": _l("write “has e-mail”, not the address"),
    "handle": _l("write “uses Instagram”, not the account"),
    "ssn": _l("write “has a Social Security card”, not the number"),
    "date": _l("write the age or the age band, not the date"),
    "address": _l("write the neighborhood or a nearby intersection, not the house number"),
    "plate": _l("write “a silver sedan”, not the plate"),
    "id_number": _l("write “has a state ID”, not its number"),
    "case_number": _l("write “has a case in juvenile court”, not its number"),
    "school": _l("write “in middle school”, not the school's name with the grade"),
}
EXCERPTS_PER_LABEL = 3


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def describe(findings: list[Finding]) -> str:
    """The refusal message: what was found (a few excerpts of each), and what to do instead."""
    if not findings:
        return ""
    excerpts: dict[str, list[str]] = {}
    kinds: list[str] = []
    for finding in findings:
        shown = excerpts.setdefault(finding.label, [])
        if len(shown) < EXCERPTS_PER_LABEL:
            shown.append(f'"{finding.excerpt}"')
        if finding.kind not in kinds:
            kinds.append(finding.kind)
    items = [
        _("%(what)s (%(excerpts)s)", what=label, excerpts=", ".join(shown))
        for label, shown in excerpts.items()
    ]
    found = _(
        "This text seems to contain %(items)s. "
        "Remove identifying details: use the client code instead.",
        items=_join(items),
    )
    hints = "; ".join(str(REPHRASE[kind]) for kind in kinds)
    return found + " " + _("For example: %(hints)s.", hints=hints)
