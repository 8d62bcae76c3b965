"""Matching (DESIGN §6): the pure engine, its queries on the demo data, and ``flask match``."""

from __future__ import annotations

import itertools
import json
import random
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bench.bench_match import random_programs
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.demo import seed_demo_data
from referrals.enums import (
    AgeBand,
    DeclineReason,
    Gender,
    ProgramStatus,
    ReferralStatus,
    Role,
    ServiceType,
    Urgency,
)
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral
from referrals.matching.engine import IntakeFacts, MatchResult, ProgramFacts, match
from referrals.matching.queries import match_intake, partner_response_hours
from referrals.programs.models import Organization, Program

_ids = itertools.count(1)


def program(**fields: Any) -> ProgramFacts:
    """A counseling program open to everyone, with open places, unless told otherwise."""
    n = next(_ids)
    values: dict[str, Any] = {
        "id": n,
        "name": f"Program {n}",
        "organization_id": n,
        "organization_name": f"Organization {n}",
        "service_types": ("counseling",),
        "min_age": None,
        "max_age": None,
        "genders_served": (),
        "languages": ("English",),
        "counties_served": (),
        "capacity_available": 3,
        "capacity_maximum": 10,
        "capacity_unit": "slot",
        "waitlist_accepted": False,
        "response_time_hours": 24,
        "status": "active",
    }
    values.update(fields)
    return ProgramFacts(**values)


def intake(**fields: Any) -> IntakeFacts:
    """An urgent intake of a woman aged 18–24 in Jackson County who needs counseling."""
    values: dict[str, Any] = {
        "age_band": AgeBand.AGE_18_24,
        "gender": "female",
        "languages": ("English",),
        "county": "Jackson County, MO",
        "needs": ("counseling",),
        "urgency": Urgency.URGENT,
    }
    values.update(fields)
    return IntakeFacts(**values)


def names(result: MatchResult) -> list[str]:
    return [row.program.name for row in result.ranked]


def only_exclusion(result: MatchResult) -> tuple[str, str]:
    assert not result.ranked
    (row,) = result.excluded
    return row.reason_code, row.reason


# --- the engine, without a database or an app context --------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "reason"),
    [
        ({"status": "inactive"}, "inactive", "inactive"),
        (
            {"status": "temporarily_closed"},
            "temporarily_closed",
            "temporarily closed, not accepting referrals",
        ),
        ({"service_types": ("legal_aid",)}, "service", "none of the needs: Counseling"),
        ({"min_age": 12, "max_age": 17}, "age", "serves ages 12–17; this client is 18–24"),
        (
            {"genders_served": ("male",)},
            "gender",
            "serves male clients only; this client is female",
        ),
        (
            {"counties_served": ("Clay County, MO",)},
            "county",
            "does not serve Jackson County, MO",
        ),
    ],
)
def test_each_hard_filter_excludes_with_its_reason(fields, code, reason):
    assert only_exclusion(match(intake(), [program(**fields)])) == (code, reason)


def test_a_program_declined_as_not_eligible_is_excluded_for_this_intake_only():
    declined, other = program(), program()
    result = match(intake(), [declined, other], not_eligible_program_ids=frozenset({declined.id}))
    assert [row.program for row in result.ranked] == [other]
    (row,) = result.excluded
    assert (row.program, row.reason_code) == (declined, "declined_not_eligible")
    assert row.reason == "declined earlier as not eligible for this client"


def test_the_first_failing_filter_gives_the_reason():
    everything_wrong = {
        "service_types": ("legal_aid",),
        "min_age": 0,
        "max_age": 17,
        "genders_served": ("male",),
        "counties_served": ("Clay County, MO",),
    }
    closed = program(status="temporarily_closed", **everything_wrong)
    assert only_exclusion(match(intake(), [closed]))[0] == "temporarily_closed"
    assert only_exclusion(match(intake(), [program(**everything_wrong)]))[0] == "age"
    wrong_gender_and_county = {k: v for k, v in everything_wrong.items() if "age" not in k}
    assert only_exclusion(match(intake(), [program(**wrong_gender_and_county)]))[0] == "gender"
    only_service_wrong = {"service_types": ("legal_aid",)}
    assert only_exclusion(match(intake(), [program(**only_service_wrong)]))[0] == "service"


def test_a_minors_only_program_excludes_an_adult_by_age():
    minors = program(name="Youth home", min_age=0, max_age=17)
    code, reason = only_exclusion(match(intake(age_band=AgeBand.AGE_25_34), [minors]))
    assert code == "age"
    assert reason == "serves ages 0–17; this client is 25–34"
    assert match(intake(age_band=AgeBand.AGE_14_15), [minors]).ranked


@pytest.mark.parametrize(
    ("band", "min_age", "max_age", "fits"),
    [
        (AgeBand.AGE_18_24, 18, None, True),
        (AgeBand.AGE_18_24, 5, 24, True),
        (AgeBand.AGE_18_24, 5, 21, False),  # the band must lie wholly inside the ages
        (AgeBand.AGE_16_17, 18, None, False),
        (AgeBand.AGE_16_17, 16, None, True),
        (AgeBand.AGE_50_PLUS, 18, 64, False),
        (AgeBand.UNDER_12, None, 17, True),
    ],
)
def test_the_age_band_must_lie_inside_the_programs_ages(band, min_age, max_age, fits):
    result = match(intake(age_band=band), [program(min_age=min_age, max_age=max_age)])
    assert bool(result.ranked) is fits


def test_open_eligibility_lists_mean_anyone():
    open_to_all = program(genders_served=(), counties_served=(), languages=())
    client = intake(gender="non_binary", county="Cass County, MO", languages=("Somali",))
    assert match(client, [open_to_all]).ranked


@pytest.mark.parametrize("seed", range(5))
def test_every_program_is_ranked_or_excluded_never_dropped(seed):
    rng = random.Random(seed)
    programs = random_programs(500, rng)
    client = intake(
        age_band=rng.choice(list(AgeBand)),
        gender=rng.choice(list(Gender)).value,
        languages=("Vietnamese",),
        county="Cass County, MO",
        needs=tuple(rng.sample([s.value for s in ServiceType], 3)),
        urgency=rng.choice(list(Urgency)),
    )
    declined = frozenset(rng.sample(range(1, 501), 10))
    result = match(client, programs, not_eligible_program_ids=declined)
    assert len(result.ranked) + len(result.excluded) == len(programs)
    seen = [row.program.id for row in result.ranked] + [row.program.id for row in result.excluded]
    assert sorted(seen) == [p.id for p in programs]
    scores = [row.score for row in result.ranked]
    assert scores == sorted(scores, reverse=True)


def test_more_needs_covered_outranks_everything_else():
    needs = ("short_term_residential", "counseling")
    covers_both = program(
        name="Z covers both",
        service_types=needs,
        capacity_available=0,
        languages=("Swahili",),
        response_time_hours=240,
        organization_id=1,
    )
    covers_one = program(name="A covers one", organization_id=2)
    result = match(
        intake(needs=needs, urgency=Urgency.EMERGENCY),
        [covers_one, covers_both],
        partner_response_hours={1: 500.0, 2: 0.5},
    )
    assert names(result) == ["Z covers both", "A covers one"]
    assert result.ranked[0].needs_covered == needs
    assert result.ranked[1].needs_covered == ("counseling",)


def test_capacity_ranks_open_places_then_waitlist_then_full_or_unknown():
    programs = [
        program(name="D unknown", capacity_available=None),
        program(name="C full", capacity_available=0, waitlist_accepted=False),
        program(name="B waitlist", capacity_available=0, waitlist_accepted=True),
        program(name="A open", capacity_available=2, capacity_unit="bed"),
        program(name="E declined for no capacity", capacity_available=4, waitlist_accepted=True),
    ]
    result = match(intake(), programs, full_program_ids=frozenset({programs[4].id}))
    assert names(result) == [
        "A open",
        "B waitlist",
        "C full",
        "D unknown",
        "E declined for no capacity",
    ]
    reasons = [row.reasons[1] for row in result.ranked]
    assert reasons == [
        "2 beds open",
        "0 slots open, waitlist accepted",
        "0 slots open",
        "capacity not reported",
        "full (declined earlier: no capacity)",
    ]


def test_a_program_speaking_a_client_language_ranks_first_and_unknown_is_neutral():
    programs = [
        program(name="A English only", languages=("English",)),
        program(name="B none listed", languages=()),
        program(name="C Spanish", languages=("English", "spanish")),
    ]
    result = match(intake(languages=("Spanish",)), programs)
    assert names(result) == ["C Spanish", "B none listed", "A English only"]
    assert [row.reasons[2] for row in result.ranked] == [
        "Spanish spoken",
        "languages not listed",
        "Spanish not spoken",
    ]


def test_response_time_counts_against_the_urgency():
    fast = program(name="B answers in a day", response_time_hours=24)
    slow = program(name="A answers in three days", response_time_hours=72)
    assert names(match(intake(urgency=Urgency.EMERGENCY), [slow, fast]))[0] == fast.name
    # Both meet an urgent intake's 72 hours: the name breaks the tie.
    assert names(match(intake(urgency=Urgency.URGENT), [fast, slow]))[0] == slow.name


def test_a_partner_that_answers_faster_ranks_higher_and_no_record_is_neutral():
    quick, unknown, slow = (
        program(name="C quick partner", organization_id=10),
        program(name="B no record", organization_id=11),
        program(name="A slow partner", organization_id=12),
    )
    result = match(intake(), [slow, unknown, quick], partner_response_hours={10: 3.0, 12: 100.0})
    assert names(result) == ["C quick partner", "B no record", "A slow partner"]
    assert result.ranked[0].reasons[-1] == "recently answered in about 3 hours"
    assert result.ranked[2].reasons[-1] == "recently answered in about 4 days"


def test_equal_scores_are_ordered_by_name_then_id():
    first, second, third = program(name="Same"), program(name="Same"), program(name="Earlier")
    result = match(intake(), [second, first, third])
    assert [row.program.id for row in result.ranked] == [third.id, first.id, second.id]


def test_the_explanation_says_why():
    rended = program(
        service_types=("short_term_residential", "counseling", "id_replacement"),
        capacity_available=2,
        capacity_unit="bed",
        languages=("English", "Spanish"),
        response_time_hours=24,
    )
    client = intake(
        languages=("Spanish", "English"), needs=("short_term_residential", "counseling")
    )
    (row,) = match(client, [rended]).ranked
    assert row.explanation == (
        "covers 2 of 2 needs · 2 beds open · Spanish spoken · answers in about 1 day"
    )
    partial = match(intake(needs=("counseling", "legal_aid", "counseling")), [program()])
    assert partial.ranked[0].reasons[0] == "covers 1 of 2 needs"


def test_scores_follow_the_documented_weights():
    (row,) = match(intake(needs=("counseling", "legal_aid")), [program()]).ranked
    # 95 times 1/2 needs + 2 open places + 1 language + 1 response + 0.5 no partner record
    assert row.score == pytest.approx(47.5 + 2 + 1 + 1 + 0.5)


# --- with the database ---------------------------------------------------------------------

DEMO_CASEWORKER = "caseworker@demo.example.org"
THIRTY_DAY = "Rended Heart 30-day program"
FOSTER_CARE = "Foster care and youth services"
FARM = "Restoration House farm program for minors"


def demo_intake(app, needs: list[str]) -> str:
    """Seed the demo and add an urgent intake for a woman aged 18–24; returns its code."""
    with app.app_context():
        seed_demo_data()
        caseworker = db.session.scalar(sa.select(User).where(User.email == DEMO_CASEWORKER))
        intake = Intake(
            organization_id=caseworker.organization_id,
            created_by_id=caseworker.id,
            age_band=AgeBand.AGE_18_24,
            gender=Gender.FEMALE,
            languages=["English"],
            county="Jackson County, MO",
            needs=needs,
            urgency=Urgency.URGENT,
        )
        db.session.add(intake)
        db.session.commit()
        return intake.client_code


def match_code(code: str) -> MatchResult:
    return match_intake(db.session.scalar(sa.select(Intake).where(Intake.client_code == code)))


def exclusions(result: MatchResult) -> dict[str, str]:
    return {row.program.name: row.reason_code for row in result.excluded}


def test_demo_intake_ranks_the_thirty_day_program_first(app):
    code = demo_intake(app, ["short_term_residential", "counseling"])
    with app.app_context():
        result = match_code(code)
        programs = db.session.scalar(sa.select(sa.func.count()).select_from(Program))
    assert len(result.ranked) + len(result.excluded) == programs
    assert result.ranked[0].program.name == THIRTY_DAY
    assert result.ranked[0].explanation.startswith("covers 2 of 2 needs · 2 beds open")
    excluded = exclusions(result)
    assert excluded[FARM] == "temporarily_closed"
    # The minors-only program is excluded by age (eligibility comes before services).
    assert excluded[FOSTER_CARE] == "age"


def test_demo_adult_is_excluded_from_the_minors_program_by_age(app):
    code = demo_intake(app, ["short_term_residential", "counseling", "education_support"])
    with app.app_context():
        result = match_code(code)
    assert result.ranked[0].program.name == THIRTY_DAY
    foster = next(row for row in result.excluded if row.program.name == FOSTER_CARE)
    assert foster.reason_code == "age"
    assert foster.reason == "serves ages 0–17; this client is 18–24"
    assert exclusions(result)[FARM] == "temporarily_closed"


def test_declines_shape_this_intakes_matches(app, make_user, make_program):
    caseworker = make_user(Role.CASEWORKER)
    refused, full, other = make_program(), make_program(), make_program()
    with app.app_context():
        intake = Intake(
            organization_id=caseworker.organization_id,
            created_by_id=caseworker.id,
            age_band=AgeBand.AGE_25_34,
            gender=Gender.FEMALE,
            languages=["English"],
            county="Clay County, MO",
            needs=["counseling"],
            urgency=Urgency.ROUTINE,
        )
        db.session.add(intake)
        db.session.flush()
        db.session.add(referral(intake, refused, caseworker, DeclineReason.NOT_ELIGIBLE))
        db.session.add(referral(intake, full, caseworker, DeclineReason.NO_CAPACITY))
        db.session.commit()
        result = match_intake(intake)
    assert exclusions(result) == {refused.name: "declined_not_eligible"}
    reasons = {row.program.name: row.reasons for row in result.ranked}
    assert reasons[full.name][1] == "full (declined earlier: no capacity)"
    assert reasons[other.name][1] == "3 slots open"
    assert [row.program.name for row in result.ranked][-1] == full.name


def referral(
    intake: Intake,
    target: Program,
    sender: User,
    decline: DeclineReason | None = None,
    *,
    sent_hours_ago: float = 10,
    answered_after: float | None = 2,
) -> Referral:
    """A sent referral, answered (declined when ``decline`` is given) or not yet."""
    sent = utcnow() - timedelta(hours=sent_hours_ago)
    answered = None if answered_after is None else sent + timedelta(hours=answered_after)
    return Referral(
        intake_id=intake.id,
        program_id=target.id,
        receiving_organization_id=target.organization_id,
        sending_organization_id=sender.organization_id,
        sent_by_id=sender.id,
        # Closed, so that several may share one intake and program (one pending at a time).
        status=ReferralStatus.REJECTED if decline else ReferralStatus.COMPLETED,
        decline_reason=decline,
        sent_at=sent,
        responded_at=answered,
    )


def test_partner_response_hours_is_the_median_of_the_last_ninety_days(app, make_user, make_program):
    caseworker = make_user(Role.CASEWORKER)
    target = make_program()
    with app.app_context():
        intake = Intake(
            organization_id=caseworker.organization_id,
            created_by_id=caseworker.id,
            age_band=AgeBand.AGE_25_34,
            gender=Gender.FEMALE,
            county="Clay County, MO",
            needs=["counseling"],
        )
        db.session.add(intake)
        db.session.flush()
        for answered_after in (2, 4, 30):
            db.session.add(referral(intake, target, caseworker, answered_after=answered_after))
        db.session.add(referral(intake, target, caseworker, sent_hours_ago=24 * 100))
        db.session.add(referral(intake, target, caseworker, answered_after=None))
        db.session.commit()
        assert partner_response_hours() == {target.organization_id: pytest.approx(4.0)}


def count_statements(app, action) -> int:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            action()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def add_programs(app, count: int, caseworker: User) -> None:
    """``count`` programs across a few organizations, and answered referrals to some."""
    with app.app_context():
        orgs = [
            Organization(name=f"Bulk organization {n} of {count}", slug=f"bulk-{n}-{count}")
            for n in range(5)
        ]
        db.session.add_all(orgs)
        db.session.flush()
        programs = [
            Program(
                organization_id=orgs[n % 5].id,
                name=f"Bulk program {n} of {count}",
                service_types=["counseling", "legal_aid"][: 1 + n % 2],
                min_age=None if n % 3 else 18,
                status=ProgramStatus.ACTIVE if n % 7 else ProgramStatus.INACTIVE,
            )
            for n in range(count)
        ]
        db.session.add_all(programs)
        db.session.flush()
        intake = db.session.scalar(sa.select(Intake))
        for target in programs[: count // 10]:
            db.session.add(referral(intake, target, caseworker, DeclineReason.NOT_ELIGIBLE))
        db.session.commit()


def test_match_intake_runs_the_same_number_of_queries_for_5_or_200_programs(app, make_user):
    caseworker = make_user(Role.CASEWORKER)
    with app.app_context():
        db.session.add(
            Intake(
                organization_id=caseworker.organization_id,
                created_by_id=caseworker.id,
                age_band=AgeBand.AGE_25_34,
                gender=Gender.FEMALE,
                county="Clay County, MO",
                needs=["counseling", "legal_aid"],
            )
        )
        db.session.commit()

    def measure() -> tuple[int, int]:
        with app.app_context():
            intake = db.session.scalar(sa.select(Intake))
            intake_facts_loaded = intake.needs  # the intake itself is not part of the count
            assert intake_facts_loaded
            results: list[MatchResult] = []
            queries = count_statements(app, lambda: results.append(match_intake(intake)))
            return queries, len(results[0].ranked) + len(results[0].excluded)

    add_programs(app, 5, caseworker)
    few, matched = measure()
    assert matched == 5
    add_programs(app, 195, caseworker)
    many, matched = measure()
    assert matched == 200
    assert few == many <= 3


# --- flask match ---------------------------------------------------------------------------


def test_flask_match_prints_ranked_then_excluded_and_audits(app):
    code = demo_intake(app, ["short_term_residential", "counseling", "education_support"])
    result = app.test_cli_runner().invoke(args=["match", code.lower()])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Matches for {code}")
    assert lines[1].startswith(f"  1. {THIRTY_DAY} (Rended Heart)")
    excluded_at = next(i for i, line in enumerate(lines) if line.startswith("Excluded:"))
    assert f"{FOSTER_CARE} (Cornerstones of Care): serves ages 0–17; this client is 18–24" in (
        "\n".join(lines[excluded_at:])
    )
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "intake.matched_cli")
        )
        intake_id = db.session.scalar(sa.select(Intake.id).where(Intake.client_code == code))
    assert event is not None
    assert (event.object_type, event.object_id) == ("intake", str(intake_id))


def test_flask_match_json(app):
    code = demo_intake(app, ["short_term_residential", "counseling"])
    result = app.test_cli_runner().invoke(args=["match", code, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["client_code"] == code
    first = data["ranked"][0]
    assert (first["rank"], first["program"], first["organization"]) == (
        1,
        THIRTY_DAY,
        "Rended Heart",
    )
    assert first["explanation"] == " · ".join(first["reasons"])
    farm = next(row for row in data["excluded"] if row["program"] == FARM)
    assert farm["reason_code"] == "temporarily_closed"


def test_flask_match_refuses_an_unknown_client_code(app):
    result = app.test_cli_runner().invoke(args=["match", "KC-NOPE-NOPE"])
    assert result.exit_code == 1
    assert "no intake with client code KC-NOPE-NOPE" in result.output
