"""Matching one intake against 10,000 programs: the engine alone, no database."""

from __future__ import annotations

import gc
import random
import statistics
import time

from referrals.enums import AgeBand, Gender, ProgramStatus, ServiceType, Urgency
from referrals.matching.engine import IntakeFacts, ProgramFacts, match

PROGRAMS = 10_000
ROUNDS = 51

COUNTIES = (
    "Jackson County, MO",
    "Clay County, MO",
    "Platte County, MO",
    "Cass County, MO",
    "Wyandotte County, KS",
    "Johnson County, KS",
)
LANGUAGES = ("English", "Spanish", "Vietnamese", "Swahili", "Somali", "Arabic", "French")
SERVICES = tuple(service.value for service in ServiceType)
GENDERS = tuple(gender.value for gender in Gender if gender != Gender.UNDISCLOSED)
# (min_age, max_age): adults, minors, young people, everyone.
AGE_RANGES = ((18, None), (0, 17), (12, 17), (5, 24), (16, None), (None, None), (18, 64))
UNITS = ("bed", "slot", "seat")


def random_programs(count: int, rng: random.Random) -> list[ProgramFacts]:
    """Programs shaped like the demo's: a few services each, most open to any gender."""
    programs = []
    for n in range(1, count + 1):
        min_age, max_age = rng.choice(AGE_RANGES)
        maximum = rng.choice((None, 4, 6, 12, 20, 40))
        programs.append(
            ProgramFacts(
                id=n,
                name=f"Program {n:05d}",
                organization_id=rng.randint(1, 400),
                organization_name=f"Organization {n % 400}",
                service_types=tuple(rng.sample(SERVICES, rng.randint(1, 5))),
                min_age=min_age,
                max_age=max_age,
                genders_served=()
                if rng.random() < 0.6
                else tuple(rng.sample(GENDERS, rng.randint(1, 2))),
                languages=()
                if rng.random() < 0.1
                else ("English", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))),
                counties_served=()
                if rng.random() < 0.3
                else tuple(rng.sample(COUNTIES, rng.randint(1, 6))),
                capacity_available=None if maximum is None else rng.randint(0, maximum),
                capacity_maximum=maximum,
                capacity_unit=rng.choice(UNITS),
                waitlist_accepted=rng.random() < 0.5,
                response_time_hours=rng.choice((4, 24, 48, 72, 120)),
                status=rng.choices([status.value for status in ProgramStatus], weights=(90, 5, 5))[
                    0
                ],
            )
        )
    return programs


def sample_intake() -> IntakeFacts:
    """An adult, Spanish-speaking, urgent intake with four needs."""
    return IntakeFacts(
        age_band=AgeBand.AGE_18_24,
        gender=Gender.FEMALE.value,
        languages=("Spanish", "English"),
        county="Jackson County, MO",
        needs=(
            ServiceType.SHORT_TERM_RESIDENTIAL.value,
            ServiceType.COUNSELING.value,
            ServiceType.ID_REPLACEMENT.value,
            ServiceType.LEGAL_AID.value,
        ),
        urgency=Urgency.URGENT,
    )


def run() -> dict[str, float]:
    rng = random.Random(42)
    programs = random_programs(PROGRAMS, rng)
    intake = sample_intake()
    not_eligible = frozenset(rng.sample(range(1, PROGRAMS + 1), 20))
    full = frozenset(rng.sample(range(1, PROGRAMS + 1), 20))
    partners = {org: rng.uniform(1, 120) for org in range(1, 401) if rng.random() < 0.7}
    samples = []
    for _ in range(ROUNDS):
        # Every round starts from the same collector state, as a request would: otherwise a
        # full collection of the 10,000 programs (left over from earlier rounds) lands in
        # some rounds and not others.
        gc.collect()
        start = time.perf_counter()
        result = match(
            intake,
            programs,
            not_eligible_program_ids=not_eligible,
            full_program_ids=full,
            partner_response_hours=partners,
        )
        samples.append((time.perf_counter() - start) * 1000)
        assert len(result.ranked) + len(result.excluded) == PROGRAMS
    return {"match_10k_programs_ms": round(statistics.median(samples), 3)}
