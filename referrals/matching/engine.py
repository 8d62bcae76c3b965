"""Match one intake against programs (DESIGN §6): every program is ranked or excluded.

Pure Python over plain facts: no database and no app context, so it can be tested and timed
alone. What depends only on the intake is worked out once per call; the loop over programs
does set look-ups and comparisons, and each message or score part is built once per distinct
value (see ``scoring``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from referrals.enums import AgeBand, Gender, ProgramStatus, ServiceType, Urgency
from referrals.matching.scoring import Memo, Scorer, full_after_decline, label
from referrals.phrases import _, age_range, joined

_ACTIVE = ProgramStatus.ACTIVE.value


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """The columns of a program that matching needs, loaded in one query."""

    id: int
    name: str
    organization_id: int
    organization_name: str
    service_types: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    genders_served: tuple[str, ...]
    languages: tuple[str, ...]
    counties_served: tuple[str, ...]
    capacity_available: int | None
    capacity_maximum: int | None
    capacity_unit: str
    waitlist_accepted: bool
    response_time_hours: int
    status: str


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """What matching reads from an intake: no notes, no indicators."""

    age_band: AgeBand
    gender: str
    languages: tuple[str, ...]
    county: str
    needs: tuple[str, ...]
    urgency: Urgency


# Ranked and Excluded are named tuples rather than frozen dataclasses: one is built per
# program, and a tuple is built several times faster (measured: the 10k-program match
# spent half its time in frozen-dataclass __init__).
class Ranked(NamedTuple):
    """A program that passed every hard filter, with its score and the reasons for it."""

    program: ProgramFacts
    score: float
    needs_covered: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return " · ".join(self.reasons)


class Excluded(NamedTuple):
    """A program that failed a hard filter: the first failing one's code and message."""

    program: ProgramFacts
    reason_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Every program given, once: ranked best first, or excluded with its reason."""

    ranked: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]


class _Matcher:
    """One intake's side of every comparison, worked out once."""

    def __init__(
        self,
        intake: IntakeFacts,
        not_eligible: frozenset[int],
        full: frozenset[int],
        partner_hours: Mapping[int, float],
    ) -> None:
        self.intake = intake
        self.needs = tuple(dict.fromkeys(intake.needs))  # de-duplicated, in the intake's order
        self.not_eligible = not_eligible
        self.full = full
        languages = tuple(dict.fromkeys(lang.strip() for lang in intake.languages if lang))
        self.scorer = Scorer(
            needs_count=len(self.needs),
            languages=languages,
            urgency=intake.urgency,
            partner_hours=partner_hours,
        )
        needs_text = joined([label(ServiceType, need) for need in self.needs])
        self.no_need = (
            _("none of the needs: %(needs)s", needs=needs_text)
            if needs_text
            else _("no needs recorded")
        )
        self.no_county = _("does not serve %(county)s", county=intake.county)
        # Worked out once per match (in the current language), not once per program.
        inactive = ("inactive", _("inactive"))
        self.status_exclusions = {
            ProgramStatus.INACTIVE.value: inactive,
            ProgramStatus.TEMPORARILY_CLOSED.value: (
                "temporarily_closed",
                _("temporarily closed, not accepting referrals"),
            ),
        }
        self.inactive = inactive
        self.declined_not_eligible = _("declined earlier as not eligible for this client")
        self.full_after_decline = full_after_decline()
        self.band = intake.age_band.label.lower()
        self.client_gender = label(Gender, intake.gender).lower()
        self.age_text = Memo[tuple[int | None, int | None], str](self._age_reason)
        self.gender_text = Memo[tuple[str, ...], str](self._gender_reason)

    def run(self, programs: Iterable[ProgramFacts]) -> MatchResult:
        """Apply the hard filters in order; the first one a program fails is its reason."""
        ranked: list[Ranked] = []
        excluded: list[Excluded] = []
        keep, drop, rank = ranked.append, excluded.append, self.rank
        need_set = frozenset(self.needs)
        low, high = self.intake.age_band.bounds
        gender, county = self.intake.gender, self.intake.county
        not_eligible, no_need, no_county = self.not_eligible, self.no_need, self.no_county
        exclusions, inactive = self.status_exclusions, self.inactive
        age_text, gender_text = self.age_text, self.gender_text
        for p in programs:
            if p.status != _ACTIVE:
                drop(Excluded(p, *exclusions.get(p.status, inactive)))
            # Who the program can ever serve comes before what it offers: "serves ages
            # 0–17" tells a caseworker more than "none of the needs" about a minors' program.
            elif (p.min_age is not None and p.min_age > low) or (
                p.max_age is not None and p.max_age < high
            ):
                drop(Excluded(p, "age", age_text[p.min_age, p.max_age]))
            elif p.genders_served and gender not in p.genders_served:
                drop(Excluded(p, "gender", gender_text[p.genders_served]))
            elif p.counties_served and county not in p.counties_served:
                drop(Excluded(p, "county", no_county))
            elif need_set.isdisjoint(p.service_types):
                drop(Excluded(p, "service", no_need))
            elif p.id in not_eligible:
                drop(Excluded(p, "declined_not_eligible", self.declined_not_eligible))
            else:
                keep(rank(p))
        ranked.sort(key=_rank_order)
        return MatchResult(tuple(ranked), tuple(excluded))

    def rank(self, p: ProgramFacts) -> Ranked:
        """Score a program that passed every filter, and say why."""
        types = p.service_types
        covered = tuple([need for need in self.needs if need in types])
        scorer = self.scorer
        needs_part = scorer.coverage[len(covered)]
        capacity = (
            self.full_after_decline
            if p.id in self.full
            else scorer.capacity[p.capacity_available, p.capacity_unit, p.waitlist_accepted]
        )
        language = scorer.language[p.languages]
        response = scorer.response[p.response_time_hours]
        partner = scorer.partner[p.organization_id]
        score = needs_part[0] + capacity[0] + language[0] + response[0] + partner[0]
        reasons = (needs_part[1], capacity[1], language[1], response[1], partner[1])
        return Ranked(p, score, covered, tuple(filter(None, reasons)))

    def _age_reason(self, ages: tuple[int | None, int | None]) -> str:
        return _(
            "serves ages %(ages)s; this client is %(band)s", ages=age_range(*ages), band=self.band
        )

    def _gender_reason(self, served: tuple[str, ...]) -> str:
        names = joined([label(Gender, code).lower() for code in served])
        return _(
            "serves %(genders)s clients only; this client is %(gender)s",
            genders=names,
            gender=self.client_gender,
        )


def _rank_order(ranked: Ranked) -> tuple[float, str, int]:
    """Best score first; equal scores by name, then id, so the order never wobbles."""
    return -ranked.score, ranked.program.name, ranked.program.id


def match(
    intake: IntakeFacts,
    programs: Iterable[ProgramFacts],
    *,
    not_eligible_program_ids: frozenset[int] = frozenset(),
    full_program_ids: frozenset[int] = frozenset(),
    partner_response_hours: Mapping[int, float] | None = None,
) -> MatchResult:
    """Rank the programs that pass every hard filter; list the others with their reason.

    Ranked: best score first, then by name and id. Excluded: in the order given.
    """
    matcher = _Matcher(
        intake, not_eligible_program_ids, full_program_ids, partner_response_hours or {}
    )
    return matcher.run(programs)
