"""``flask seed-demo``: the demo coalition from the seed article."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from config import Config, DevelopmentConfig, ProductionConfig, TestingConfig
from referrals import demo
from referrals.audit.models import AuditEvent
from referrals.auth.mfa import MFA_REQUIRED_ROLES
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo_data
from referrals.demo_data import ALL_COUNTIES
from referrals.enums import (
    OPEN_STATUSES,
    AgeBand,
    ProgramStatus,
    ReferralStatus,
    Role,
    ServiceType,
)
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.programs.models import Organization, Program
from tests.conftest import PASSWORD

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

RS = ReferralStatus
# DESIGN §4, written out independently of the seeding code.
ALLOWED_MOVES = {
    (RS.DRAFT, RS.REQUESTED),
    (RS.REQUESTED, RS.ACCEPTED),
    (RS.REQUESTED, RS.REJECTED),
    (RS.ACCEPTED, RS.IN_PROGRESS),
    (RS.ACCEPTED, RS.ON_HOLD),
    (RS.IN_PROGRESS, RS.ON_HOLD),
    (RS.ON_HOLD, RS.IN_PROGRESS),
    (RS.IN_PROGRESS, RS.COMPLETED),
    (RS.IN_PROGRESS, RS.FAILED),
} | {(state, end) for state in OPEN_STATUSES for end in (RS.CANCELLED, RS.ENTERED_IN_ERROR)}

ARTICLE_PROGRAMS = {
    "Veronica's Voice": {"Magdalene KC survivor home"},
    "Cornerstones of Care": {
        "Family therapy and counseling",
        "Foster care and youth services",
        "Substance use treatment",
        "Educational support",
    },
    "Justice Project KC": {"Willow Tree Room"},
    "Restoration House KC": {"Restoration House farm program for minors"},
    "Rended Heart": {"Rended Heart 30-day program"},
}
OUTREACH = "KC Street Outreach Network (demo)"
COALITION = "KC Anti-Trafficking Coalition"


@pytest.fixture
def seeded(app):
    """The app with the demo coalition loaded."""
    with app.app_context():
        result = seed_demo_data()
    assert result.created
    return app


def row_counts(app) -> dict[str, int]:
    """Rows per table."""
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }


def test_seeds_the_article_organizations_and_their_programs(seeded):
    with seeded.app_context():
        orgs = {org.name: org for org in db.session.scalars(sa.select(Organization))}
        assert set(orgs) == set(ARTICLE_PROGRAMS) | {OUTREACH, COALITION}
        assert all(org.is_demo for org in orgs.values())
        for name, programs in ARTICLE_PROGRAMS.items():
            assert {p.name for p in orgs[name].programs} == programs, name
            assert orgs[name].receives
        assert orgs[OUTREACH].refers
        assert not orgs[OUTREACH].receives
        assert not orgs[COALITION].refers
        assert not orgs[COALITION].receives
        for org in orgs.values():
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", org.slug)
            assert org.phone == "" or "555-01" in org.phone

        rended = db.session.scalar(
            sa.select(Program).where(Program.name == "Rended Heart 30-day program")
        )
        assert rended.length_of_stay_days == 30
        assert rended.response_time_hours == 24
        assert {"English", "Spanish"} <= set(rended.languages)
        assert rended.capacity_updated_at > utcnow() - timedelta(days=2)


def test_counties_languages_genders_and_service_types_use_the_shared_spelling(seeded):
    with seeded.app_context():
        programs = db.session.scalars(sa.select(Program)).all()
        intakes = db.session.scalars(sa.select(Intake)).all()
        service_codes = {s.value for s in ServiceType}
        for program in programs:
            assert set(program.counties_served) <= set(ALL_COUNTIES), program.name
            assert set(program.languages) <= {"English", "Spanish"}
            assert set(program.service_types) <= service_codes
            assert set(program.genders_served) <= {"female"} or not program.genders_served
            assert program.capacity_unit in {"bed", "slot", "seat"}
            assert program.application_process
            assert program.eligibility_description
        for intake in intakes:
            assert intake.county in ALL_COUNTIES
            assert set(intake.languages) <= {"English", "Spanish"}
            assert set(intake.needs) <= service_codes


def test_only_the_30_day_program_offers_short_term_residential(seeded):
    """A young adult in Jackson County needing a short stay is best served by Rended Heart."""
    with seeded.app_context():
        programs = db.session.scalars(sa.select(Program)).all()
        short_term = [p for p in programs if "short_term_residential" in p.service_types]
        assert [p.name for p in short_term] == ["Rended Heart 30-day program"]
        program = short_term[0]
        assert program.status == ProgramStatus.ACTIVE
        assert "Jackson County, MO" in program.counties_served
        assert "counseling" in program.service_types
        assert program.min_age is not None
        assert program.min_age <= 18
        assert program.capacity_available


def test_restoration_house_is_closed_and_receives_no_referrals(seeded):
    with seeded.app_context():
        program = db.session.scalar(
            sa.select(Program).where(Program.name == "Restoration House farm program for minors")
        )
        assert program.status == ProgramStatus.TEMPORARILY_CLOSED
        assert program.capacity_available == 0
        assert (program.min_age, program.max_age) == (12, 17)
        assert program.confidential_location
        received = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Referral)
            .where(Referral.receiving_organization_id == program.organization_id)
        )
        assert received == 0


def test_confidential_locations_are_not_shown_on_program_pages(seeded):
    client = seeded.test_client()
    client.post("/login", data={"email": "caseworker@demo.example.org", "password": DEMO_PASSWORD})
    with seeded.app_context():
        programs = db.session.scalars(
            sa.select(Program).where(Program.confidential_location != "")
        ).all()
    assert programs
    for program in programs:
        page = client.get(f"/programs/{program.id}").get_data(as_text=True)
        assert program.confidential_location not in page


def test_every_status_has_a_referral_and_one_request_is_overdue(seeded):
    with seeded.app_context():
        referrals = db.session.scalars(sa.select(Referral)).all()
        assert {r.status for r in referrals} == set(ReferralStatus)
        now = utcnow()
        overdue = [r for r in referrals if r.is_overdue(now)]
        assert len(overdue) == 1
        assert any(r.status == RS.REQUESTED and not r.is_overdue(now) for r in referrals)


def test_referrals_walk_allowed_paths_with_consistent_milestones(seeded):
    with seeded.app_context():
        now = utcnow()
        for referral in db.session.scalars(sa.select(Referral)):
            label = f"{referral.status.value} referral"
            assert referral.sending_organization_id == referral.intake.organization_id
            assert referral.receiving_organization_id == referral.program.organization_id
            assert referral.sent_by.is_demo
            assert referral.sent_by.role == Role.CASEWORKER
            moves = [e for e in referral.events if e.kind == "status_change"]
            state = RS.DRAFT
            for event in moves:
                assert (event.from_status, event.to_status) in ALLOWED_MOVES, label
                assert event.from_status == state, label
                state = event.to_status
                actor = event.actor
                assert actor is not None
                assert actor.is_demo
                if state in {RS.REQUESTED, RS.CANCELLED}:
                    assert actor.id == referral.sent_by_id, label
                elif state == RS.ENTERED_IN_ERROR:
                    assert actor.role == Role.SUPERVISOR
                    assert actor.organization_id == referral.sending_organization_id
                else:
                    assert actor.organization_id == referral.receiving_organization_id, label
            assert state == referral.status, label

            times = [e.occurred_at for e in referral.events]
            assert times == sorted(times), label
            assert referral.created_at <= (times[0] if times else now) <= now
            for moment in times:
                assert moment.utcoffset() == timedelta(0)

            receipts = [e for e in referral.events if e.kind == "read_receipt"]
            assert len(receipts) == (referral.first_viewed_at is not None), label
            if receipts:
                assert receipts[0].occurred_at == referral.first_viewed_at
                assert receipts[0].actor.organization_id == referral.receiving_organization_id

            if referral.status == RS.DRAFT:
                assert referral.sent_at is None
                assert referral.response_due_at is None
            else:
                assert referral.response_due_at == referral.sent_at + timedelta(
                    hours=referral.program.response_time_hours
                )
            assert (referral.accepted_at is not None) == any(
                e.to_status == RS.ACCEPTED for e in moves
            ), label
            assert (referral.enrolled_at is not None) == any(
                e.to_status == RS.IN_PROGRESS for e in moves
            ), label
            assert (referral.closed_at is not None) == referral.status.is_terminal, label
            assert (referral.decline_reason is not None) == (referral.status == RS.REJECTED)
            assert (referral.cancel_reason is not None) == (referral.status == RS.CANCELLED)
            assert (referral.outcome is not None) == (referral.status in {RS.COMPLETED, RS.FAILED})


def covered_when_sent(consent: Consent, referral: Referral) -> bool:
    """Whether the consent was in force for the receiver when the referral was sent."""
    sent = referral.sent_at
    return (
        consent.given_at <= sent < consent.expires_at
        and (consent.revoked_at is None or consent.revoked_at > sent)
        and referral.receiving_organization_id in {org.id for org in consent.organizations}
    )


def test_consents_cover_every_sent_referral(seeded):
    with seeded.app_context():
        now = utcnow()
        for referral in db.session.scalars(
            sa.select(Referral).where(Referral.sent_at.is_not(None))
        ):
            assert any(
                covered_when_sent(consent, referral) for consent in referral.intake.consents
            ), referral.status
        consents = db.session.scalars(sa.select(Consent)).all()
        for consent in consents:
            assert consent.given_at < now < consent.expires_at
            assert consent.expires_at - consent.given_at <= timedelta(days=366)
            assert consent.recorded_by.is_demo
            assert consent.recorded_by.role == Role.CASEWORKER
        assert sum(c.revoked_at is not None for c in consents) == 1
        intakes = db.session.scalars(sa.select(Intake)).all()
        assert sum(not intake.consents for intake in intakes) == 1
        minors = [i for i in intakes if i.age_band.is_minor]
        assert minors
        assert all(
            c.guardian_consent and c.guardian_relationship for m in minors for c in m.consents
        )
        assert any(i.age_band == AgeBand.AGE_14_15 for i in minors)


def test_notes_hold_no_phone_numbers_or_email_addresses(seeded):
    with seeded.app_context():
        notes = [
            *db.session.scalars(sa.select(Intake.situation_note)),
            *db.session.scalars(sa.select(Referral.note)),
            *db.session.scalars(sa.select(ReferralEvent.note)),
        ]
    assert len(notes) > 20
    for note in notes:
        assert not re.search(r"\d", note), note
        assert "@" not in note, note


def test_notifications_go_to_demo_staff(seeded):
    with seeded.app_context():
        notifications = db.session.scalars(sa.select(Notification)).all()
        assert notifications
        assert all(n.recipient.is_demo for n in notifications)
        assert any(n.recipient.role == Role.PARTNER and n.read_at is None for n in notifications)


@pytest.mark.parametrize(("email", "role", "org_name"), DEMO_LOGINS)
def test_each_demo_login_signs_in_and_reaches_home(seeded, email, role, org_name):
    client = seeded.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if role in MFA_REQUIRED_ROLES:
        # The second step of a demo account shows the code of the published demo key.
        verify = client.get("/login/verify").get_data(as_text=True)
        code = re.search(r"the code\s*<strong>(\d{6})</strong>", verify).group(1)
        assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(code, valid_window=1)
        assert client.post("/login/verify", data={"code": code}).status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    with seeded.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert user.is_demo
        assert not user.must_change_password
        assert (user.role, user.organization.name) == (role, org_name)


def test_demo_logins_cover_every_role_with_role_like_names(seeded):
    assert {role for _, role, _ in DEMO_LOGINS} == set(Role)
    with seeded.app_context():
        users = db.session.scalars(sa.select(User)).all()
        assert len(users) == len(DEMO_LOGINS)
        assert all(user.display_name.startswith("Demo ") for user in users)


def test_cli_seeds_once_then_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output
    assert "caseworker@demo.example.org" in first.output
    counts = row_counts(app)
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    assert row_counts(app) == counts
    with app.app_context():
        seeded_events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "demo.seeded")
        ).all()
        assert len(seeded_events) == 1
        assert seeded_events[0].detail["referrals"] == counts["referrals"]


def test_cli_refuses_a_database_with_real_data_unless_forced(app, make_org):
    make_org(name="A Real Partner", slug="a-real-partner")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["seed-demo"])
    assert refused.exit_code != 0
    assert "non-demo" in refused.output
    assert "--force" in refused.output
    assert row_counts(app)["organizations"] == 1
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        names = set(db.session.scalars(sa.select(Organization.name)))
    assert "A Real Partner" in names
    assert "Rended Heart" in names


def test_cli_refuses_to_clash_with_real_records_even_when_forced(app, make_org):
    make_org(name="Rended Heart", slug="rended-heart")
    result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code != 0
    assert "Rended Heart" in result.output
    assert row_counts(app)["organizations"] == 1


def test_cli_refuses_a_partial_demo(seeded):
    with seeded.app_context():
        db.session.execute(
            sa.update(Organization).where(Organization.slug == "rended-heart").values(is_demo=False)
        )
        db.session.commit()
    result = seeded.test_cli_runner().invoke(args=["seed-demo", "--force"])
    assert result.exit_code != 0
    assert "part of the demo" in result.output


def test_a_failure_part_way_writes_nothing(app, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(demo.audit, "record", fail)
    with app.app_context(), pytest.raises(RuntimeError):
        seed_demo_data()
    assert set(row_counts(app).values()) == {0}


def test_login_page_shows_the_article_hotlines_and_the_demo_banner(seeded):
    page = seeded.test_client().get("/login").get_data(as_text=True)
    for number in ("1-888-373-7888", "233733", "1-866-347-2423"):
        assert number in page
    assert "DEMO DATA" in page


def test_the_demo_is_seeded_only_where_the_demo_may_run(app, monkeypatch):
    """Production (and any configuration but development and tests) refuses it."""
    assert DevelopmentConfig.DEMO_ALLOWED
    assert TestingConfig.DEMO_ALLOWED
    assert not ProductionConfig.DEMO_ALLOWED
    assert not Config.DEMO_ALLOWED
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", ProductionConfig.DEMO_ALLOWED)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
        assert result.exit_code != 0
        assert "only in development" in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def _demo_supervisor_second_step(app):
    """A demo supervisor past the password step: the client and the second step's page."""
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "supervisor@demo.example.org", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"].endswith("/login/verify")
    return client, client.get("/login/verify").get_data(as_text=True)


def test_the_published_demo_key_is_refused_where_the_demo_may_not_run(seeded, monkeypatch):
    """A database seeded in development and then served in production: the key opens nothing."""
    monkeypatch.setitem(seeded.config, "DEMO_ALLOWED", ProductionConfig.DEMO_ALLOWED)
    client, page = _demo_supervisor_second_step(seeded)
    assert "Demo account" not in page  # no demo code shown
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    refused = client.post("/login/verify", data={"code": code})
    assert refused.status_code == 200
    assert "That code is not right" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    monkeypatch.setitem(seeded.config, "DEMO_ALLOWED", True)
    client, _ = _demo_supervisor_second_step(seeded)
    assert client.post("/login/verify", data={"code": code}).status_code == 302


def test_the_published_demo_key_never_opens_a_real_account(app, make_user):
    """Only the invented demo accounts may hold it, even in development."""
    user = make_user(Role.SUPERVISOR, totp_secret=DEMO_TOTP_SECRET)
    client = app.test_client()
    assert (
        client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    page = client.get("/login/verify").get_data(as_text=True)
    assert "Demo account" not in page
    refused = client.post("/login/verify", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert "That code is not right" in refused.get_data(as_text=True)
