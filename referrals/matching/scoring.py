"""The ranking score's components (DESIGN §6) and the plain words that explain each one.

A score runs from 0 to 100. Need coverage dominates: one more need covered is worth at least
95 / 18 ≈ 5.3 points (an intake names at most the 18 service types), more than all the other
components together (5 points), so those only order programs that cover as many needs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

from referrals.enums import CodedEnum, Urgency
from referrals.geography import language_label
from referrals.phrases import _, joined, ngettext, places

NEEDS_WEIGHT = 95.0  # times the share of the intake's needs the program covers
CAPACITY_WEIGHT = 2.0  # times 1 with open places, 0.5 waitlist accepted, 0 full or unknown
LANGUAGE_WEIGHT = 1.0  # times 1 speaks a client language, 0.5 lists none, 0 speaks none of them
RESPONSE_WEIGHT = 1.0  # times 1 if the promised response meets the urgency, else target / promised
PARTNER_WEIGHT = 1.0  # times 24 / (24 + partner's median hours to respond), 0.5 with no record
NEUTRAL = 0.5  # unknown languages, no response record: neither a bonus nor a penalty
COMMON_LANGUAGE = "english"  # the coalition's working language, spoken by every program

# The response an urgency calls for, in hours (routine: within a week is soon enough).
RESPONSE_TARGET_HOURS = {Urgency.EMERGENCY: 24, Urgency.URGENT: 72, Urgency.ROUTINE: 168}

# Each component gives (points already weighted, reason); an empty reason is left out.
Part = tuple[float, str]


def full_after_decline() -> Part:
    return 0.0, _("full (declined earlier: no capacity)")


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V], Generic[K, V]):
    """A value worked out once per distinct key: programs share a few values of each column."""

    def __init__(self, compute: Callable[[K], V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: K) -> V:
        value = self[key] = self.compute(key)
        return value


def label(enum_class: type[CodedEnum], code: str) -> str:
    """The label of a code (works without an app context); an unknown code reads as words."""
    try:
        return enum_class(code).label
    except ValueError:
        return code.replace("_", " ")


def answers_in(hours: float) -> str:
    """How soon a program answers, as people say it: "answers in about 5 hours"."""
    if hours < 1:
        return _("answers in under an hour")
    if hours < 20:
        return ngettext(
            "answers in about %(num)d hour", "answers in about %(num)d hours", round(hours)
        )
    days = max(1, round(hours / 24))
    return ngettext("answers in about %(num)d day", "answers in about %(num)d days", days)


def answered_in(hours: float) -> str:
    """How soon a partner answered lately: "recently answered in about 1 day"."""
    if hours < 1:
        return _("recently answered in under an hour")
    if hours < 20:
        return ngettext(
            "recently answered in about %(num)d hour",
            "recently answered in about %(num)d hours",
            round(hours),
        )
    days = max(1, round(hours / 24))
    return ngettext(
        "recently answered in about %(num)d day", "recently answered in about %(num)d days", days
    )


class Scorer:
    """The score components for one intake, each remembered per distinct program value."""

    def __init__(
        self,
        *,
        needs_count: int,
        languages: tuple[str, ...],
        urgency: Urgency,
        partner_hours: Mapping[int, float],
    ) -> None:
        self.languages = languages
        self.target = RESPONSE_TARGET_HOURS[urgency]
        self.partner_hours = partner_hours
        # Indexed by the number of needs covered.
        self.coverage: list[Part] = [
            (
                NEEDS_WEIGHT * k / max(needs_count, 1),
                ngettext(
                    "covers %(covered)d of %(num)d need",
                    "covers %(covered)d of %(num)d needs",
                    needs_count,
                    covered=k,
                ),
            )
            for k in range(needs_count + 1)
        ]
        self.capacity = Memo[tuple[int | None, str, bool], Part](self._capacity)
        self.language = Memo[tuple[str, ...], Part](self._language)
        self.response = Memo[int, Part](self._response)
        self.partner = Memo[int, Part](self._partner)

    def _capacity(self, key: tuple[int | None, str, bool]) -> Part:
        available, unit, waitlist_accepted = key
        if available:
            return CAPACITY_WEIGHT, _("%(places)s open", places=places(available, unit))
        if waitlist_accepted:
            if available == 0:
                return CAPACITY_WEIGHT * NEUTRAL, _(
                    "%(places)s open, waitlist accepted", places=places(0, unit)
                )
            return CAPACITY_WEIGHT * NEUTRAL, _("waitlist accepted")
        if available == 0:
            return 0.0, _("%(places)s open", places=places(0, unit))
        return 0.0, _("capacity not reported")

    def _language(self, spoken: tuple[str, ...]) -> Part:
        if not self.languages:
            return LANGUAGE_WEIGHT * NEUTRAL, ""
        if not spoken:
            return LANGUAGE_WEIGHT * NEUTRAL, _("languages not listed")
        folded = {lang.strip().casefold() for lang in spoken}
        shared = [lang for lang in self.languages if lang.casefold() in folded]
        if not shared:
            return 0.0, _(
                "%(languages)s not spoken",
                languages=joined([language_label(lang) for lang in self.languages], either=True),
            )
        # Every coalition program works in English: for a client who speaks another language
        # too, the one that fits is the other ("Spanish spoken"), not English.
        named = [lang for lang in shared if lang.casefold() != COMMON_LANGUAGE] or shared
        return LANGUAGE_WEIGHT, _(
            "%(languages)s spoken", languages=joined([language_label(lang) for lang in named])
        )

    def _response(self, hours: int) -> Part:
        fit = 1.0 if hours <= self.target else self.target / hours
        return RESPONSE_WEIGHT * fit, answers_in(hours)

    def _partner(self, organization_id: int) -> Part:
        median = self.partner_hours.get(organization_id)
        if median is None:
            return PARTNER_WEIGHT * NEUTRAL, ""
        median = max(median, 0.0)
        return PARTNER_WEIGHT * 24 / (24 + median), answered_in(median)
