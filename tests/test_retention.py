"""``flask purge``: free text of long-closed intakes is blanked; codes, dates and counts stay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.dashboard import stats
from referrals.enums import AgeBand, DeclineReason, Gender, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.programs.models import Organization
from referrals.retention.services import purge

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

NOW = datetime.now(UTC)
SITUATION = "Prefers quiet evenings and group settings"
GUARDIAN = "legal guardian"
REFERRAL_NOTE = "Needs a ground floor room"
EVENT_NOTE = "Waiting list is long this month"


@dataclass
class Case:
    intake_id: int
    consent_id: int
    referral_id: int


@pytest.fixture
def world(app, make_org, make_user, make_program):
    """An organization that refers to itself, and a factory of intakes with every free text."""
    org = make_org(name="Retention Org")
    caseworker = make_user(Role.CASEWORKER, org=org)
    supervisor = make_user(Role.SUPERVISOR, org=org)
    program = make_program(org=org)

    def case(closed_days_ago: int | None) -> Case:
        closed_at = NOW - timedelta(days=closed_days_ago) if closed_days_ago is not None else None
        started = (closed_at or NOW) - timedelta(days=40)
        with app.app_context():
            intake = Intake(
                organization_id=org.id,
                created_by_id=caseworker.id,
                age_band=AgeBand.AGE_16_17,
                gender=Gender.FEMALE,
                languages=["English"],
                county="Jackson County, MO",
                needs=["counseling"],
                situation_note=SITUATION,
                is_open=closed_at is None,
                closed_at=closed_at,
                created_at=started,
            )
            consent = Consent(
                intake=intake,
                given_at=started,
                expires_at=started + timedelta(days=90),
                recorded_by_id=caseworker.id,
                guardian_consent=True,
                guardian_relationship=GUARDIAN,
                organizations=[db.session.get(Organization, org.id)],
            )
            referral = Referral(
                intake=intake,
                program_id=program.id,
                receiving_organization_id=org.id,
                sending_organization_id=org.id,
                sent_by_id=caseworker.id,
                status=ReferralStatus.REJECTED,
                decline_reason=DeclineReason.OTHER,
                note=REFERRAL_NOTE,
                created_at=started,
                sent_at=started + timedelta(days=1),
                responded_at=started + timedelta(days=2),
                closed_at=started + timedelta(days=2),
            )
            db.session.add_all([intake, consent, referral])
            db.session.flush()
            db.session.add_all(
                [
                    ReferralEvent(
                        referral_id=referral.id,
                        occurred_at=started + timedelta(days=2),
                        actor_id=supervisor.id,
                        kind="status_change",
                        from_status=ReferralStatus.REQUESTED,
                        to_status=ReferralStatus.REJECTED,
                        reason="other",
                        note=EVENT_NOTE,
                    ),
                    ReferralEvent(referral_id=referral.id, kind="read_receipt"),
                ]
            )
            db.session.commit()
            return Case(intake.id, consent.id, referral.id)

    return case, supervisor


def texts(app: Flask, case: Case) -> tuple[str, str, str, set[str], bool]:
    """Every free text of a case, and whether it is marked purged."""
    with app.app_context():
        intake = db.session.get(Intake, case.intake_id)
        consent = db.session.get(Consent, case.consent_id)
        referral = db.session.get(Referral, case.referral_id)
        notes = {event.note for event in referral.events}
        return (
            intake.situation_note,
            consent.guardian_relationship,
            referral.note,
            notes,
            intake.purged_at is not None,
        )


UNTOUCHED = (SITUATION, GUARDIAN, REFERRAL_NOTE, {EVENT_NOTE, ""}, False)
PURGED = ("", "", "", {""}, True)


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["purge", *args])


def purge_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "retention.purged")
                .order_by(AuditEvent.sequence)
            )
        )


def test_intakes_closed_past_the_retention_period_lose_their_free_text(app, world):
    case, _supervisor = world
    old, recent, still_open = case(800), case(10), case(None)
    started = datetime.now(UTC)
    result = run(app)  # RETENTION_DAYS: 730 by default
    finished = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    assert "older than 730 days" in result.output
    assert "intakes purged: 1" in result.output
    assert "situation notes blanked: 1" in result.output
    assert "referral notes blanked: 1" in result.output
    assert "timeline notes blanked: 1" in result.output
    assert "consent details blanked: 1" in result.output
    assert texts(app, old) == PURGED
    assert texts(app, recent) == UNTOUCHED
    assert texts(app, still_open) == UNTOUCHED
    with app.app_context():
        intake = db.session.get(Intake, old.intake_id)
        referral = db.session.get(Referral, old.referral_id)
        consent = db.session.get(Consent, old.consent_id)
        # Codes, dates and statuses stay.
        assert (intake.age_band, intake.needs, intake.county) == (
            AgeBand.AGE_16_17,
            ["counseling"],
            "Jackson County, MO",
        )
        assert intake.closed_at is not None
        assert (referral.status, referral.decline_reason) == (
            ReferralStatus.REJECTED,
            DeclineReason.OTHER,
        )
        assert referral.sent_at is not None
        assert consent.guardian_consent is True
        event = next(e for e in referral.events if e.kind == "status_change")
        assert (event.reason, event.to_status) == ("other", ReferralStatus.REJECTED)
    [event] = purge_events(app)
    assert event.actor_id is None
    assert event.detail["days"] == 730
    assert event.detail["intakes"] == 1
    assert event.detail["event_notes"] == 1
    cutoff = datetime.fromisoformat(event.detail["cutoff"])
    # The cut-off is "now" at the run, minus the period (NOW is when this module was imported).
    assert started - timedelta(days=730) <= cutoff <= finished - timedelta(days=730)
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_dashboards_still_count_purged_referrals(app, world):
    case, supervisor = world
    case(800)
    case(900)

    def figures():
        with app.app_context():
            viewer = db.session.get(User, supervisor.id)
            scope = stats.scope_for(viewer, NOW)
            filters = stats.Filters(start=date(2000, 1, 1), end=NOW.date())
            result = stats.breakdown(scope, filters)
            return result.by_status, {k: vars(v) for k, v in result.partners.items()}

    before = figures()
    assert before[0][ReferralStatus.REJECTED]["total"] == 2
    assert run(app).exit_code == 0
    assert figures() == before


def test_a_dry_run_reports_the_same_counts_and_changes_nothing(app, world):
    case, _supervisor = world
    old = case(800)
    dry = run(app, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed." in dry.output
    assert "intakes to purge: 1" in dry.output
    assert "timeline notes to blank: 1" in dry.output
    assert texts(app, old) == UNTOUCHED
    assert purge_events(app) == []
    real = run(app)
    dry_counts = [line.split(": ")[1] for line in dry.output.splitlines() if " to " in line]
    real_counts = [line.split(": ")[1] for line in real.output.splitlines() if "blanked" in line]
    assert dry_counts[1:] == real_counts
    assert texts(app, old) == PURGED


def test_a_second_run_purges_nothing(app, world):
    case, _supervisor = world
    case(800)
    assert "intakes purged: 1" in run(app).output
    second = run(app)
    assert second.exit_code == 0
    assert "intakes purged: 0" in second.output
    assert "referral notes blanked: 0" in second.output
    assert [e.detail["intakes"] for e in purge_events(app)] == [1, 0]


def test_older_than_and_the_configured_default(app, world):
    case, _supervisor = world
    recent = case(10)
    assert "intakes purged: 0" in run(app, "--older-than", "30").output
    assert texts(app, recent) == UNTOUCHED
    app.config["RETENTION_DAYS"] = 5
    try:
        result = run(app)
    finally:
        app.config["RETENTION_DAYS"] = 730
    assert "older than 5 days" in result.output
    assert "intakes purged: 1" in result.output
    assert texts(app, recent) == PURGED


@pytest.mark.parametrize("days", ["0", "-3", "abc", "1.5", "99999999"])
def test_a_bad_period_is_refused_with_a_message(app, world, days):
    case, _supervisor = world
    old = case(800)
    result = run(app, "--older-than", days)
    assert result.exit_code != 0
    assert "--older-than" in result.output
    assert texts(app, old) == UNTOUCHED
    assert purge_events(app) == []


def test_a_bad_configured_period_is_refused(app):
    app.config["RETENTION_DAYS"] = 0
    try:
        result = run(app)
    finally:
        app.config["RETENTION_DAYS"] = 730
    assert result.exit_code != 0
    assert "must be 1 to" in result.output


def test_a_large_backlog_is_purged_batch_by_batch(app, world):
    case, _supervisor = world
    cases = [case(800 + n) for n in range(7)]
    with app.app_context():
        dry = purge(days=730, dry_run=True, batch_size=2)
        db.session.rollback()
        report = purge(days=730, batch_size=2)
        db.session.commit()
    assert vars(dry.counts) == vars(report.counts)
    assert report.counts.intakes == 7
    assert report.counts.event_notes == 7
    assert all(texts(app, c) == PURGED for c in cases)
