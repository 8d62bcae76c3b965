"""Consent and the lifecycle: no sending without it, revoking it cancels, declines have effects.

Also the read receipt: the receiving organization's first view is recorded once, as an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import CancelReason, DeclineReason, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle import services
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.matching.queries import match_intake
from referrals.programs.models import Organization, Program
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

S = ReferralStatus
NOTE = "Client prefers morning appointments."


@dataclass
class World:
    sending: Organization
    receiving: Organization
    other_receiving: Organization
    caseworker: User
    program: Program
    intake: Intake
    caseworker_client: object
    partner_client: object
    partner_2_client: object
    app: object

    def referral(self, public_id: str) -> Referral:
        return db.session.scalar(sa.select(Referral).where(Referral.public_id == public_id))


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake) -> World:
    """A sender, a receiver with a 24-hour counseling program, a counseling intake (no consent)."""
    sending = make_org(name="Safe Harbor Outreach", receives=False)
    receiving = make_org(name="Riverside Healing House", refers=False)
    other_receiving = make_org(name="Northland Counseling Collective", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sending)
    program = make_program(org=receiving, name="Riverside Counseling", response_time_hours=24)
    intake = make_intake(by=caseworker)

    def client_for(user: User):
        client = app.test_client()
        assert login(client, user).status_code == 302
        return client

    return World(
        sending=sending,
        receiving=receiving,
        other_receiving=other_receiving,
        caseworker=caseworker,
        program=program,
        intake=intake,
        caseworker_client=client_for(caseworker),
        partner_client=client_for(make_user(Role.PARTNER, org=receiving)),
        partner_2_client=client_for(make_user(Role.SUPERVISOR, org=receiving)),
        app=app,
    )


def add_consent(app, intake: Intake, *orgs: Organization, by: User, days: int = 60) -> int:
    """An active consent of the intake naming ``orgs``; returns its id."""
    with app.app_context():
        now = utcnow()
        consent = Consent(
            intake_id=intake.id,
            given_at=now - timedelta(hours=1),
            expires_at=now + timedelta(days=days),
            recorded_by_id=by.id,
            organizations=[db.session.get(Organization, org.id) for org in orgs],
        )
        db.session.add(consent)
        db.session.commit()
        return consent.id


def draft(app, world: World, program: Program | None = None) -> str:
    """A draft referral of the world's intake, started through the service; its public id."""
    with app.app_context():
        referral = services.create_draft(
            db.session.get(Intake, world.intake.id),
            db.session.get(Program, (program or world.program).id),
            by=db.session.get(User, world.caseworker.id),
        )
        db.session.commit()
        return referral.public_id


def send(world: World, public_id: str, **data: str):
    """POST the send form as the caseworker, with the version on the page."""
    version = version_on_page(world.caseworker_client, public_id)
    return world.caseworker_client.post(
        f"/referrals/{public_id}/send",
        data={"version": version, "priority": "routine", "note": NOTE, **data},
    )


def version_on_page(client, public_id: str) -> str:
    page = client.get(f"/referrals/{public_id}")
    assert page.status_code == 200
    match = re.search(r'name="version"[^>]*value="(\d+)"', page.get_data(as_text=True))
    assert match, "the page has an action form carrying the version"
    return match.group(1)


def sent_referral(app, world: World) -> str:
    add_consent(app, world.intake, world.receiving, by=world.caseworker)
    public_id = draft(app, world)
    assert send(world, public_id).status_code == 302
    return public_id


def text(response) -> str:
    return response.get_data(as_text=True)


# --- sending needs consent -------------------------------------------------------------------


def test_send_without_consent_is_refused_with_a_link_to_consent(app, world):
    public_id = draft(app, world)
    response = send(world, public_id)
    assert response.status_code == 400
    body = text(response)
    assert "consent does not cover Riverside Healing House" in body
    assert f'href="/intakes/{world.intake.client_code}/consent"' in body
    with app.app_context():
        referral = world.referral(public_id)
        assert referral.status == S.DRAFT
        assert referral.version == 1
        assert referral.sent_at is None
        assert [e.kind for e in referral.events] == ["created"]
    # The partner cannot see a draft at all.
    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 404


def test_consent_for_another_organization_does_not_cover_the_receiver(app, world):
    add_consent(app, world.intake, world.other_receiving, by=world.caseworker)
    public_id = draft(app, world)
    response = send(world, public_id)
    assert response.status_code == 400
    assert f"/intakes/{world.intake.client_code}/consent" in text(response)
    with app.app_context():
        assert world.referral(public_id).status == S.DRAFT


def test_expired_or_revoked_consent_does_not_cover(app, world):
    with app.app_context():
        now = utcnow()
        receiving = db.session.get(Organization, world.receiving.id)
        db.session.add_all(
            [
                Consent(
                    intake_id=world.intake.id,
                    given_at=now - timedelta(days=40),
                    expires_at=now - timedelta(days=1),
                    recorded_by_id=world.caseworker.id,
                    organizations=[receiving],
                ),
                Consent(
                    intake_id=world.intake.id,
                    given_at=now - timedelta(days=2),
                    expires_at=now + timedelta(days=30),
                    revoked_at=now - timedelta(hours=1),
                    recorded_by_id=world.caseworker.id,
                    organizations=[receiving],
                ),
            ]
        )
        db.session.commit()
    public_id = draft(app, world)
    assert send(world, public_id).status_code == 400
    with app.app_context():
        assert world.referral(public_id).status == S.DRAFT


def test_consent_recorded_through_the_form_lets_the_referral_go(app, world):
    public_id = draft(app, world)
    assert send(world, public_id).status_code == 400
    response = world.caseworker_client.post(
        f"/intakes/{world.intake.client_code}/consent",
        data={
            "organization_ids": [str(world.receiving.id)],
            "expires_on": (date.today() + timedelta(days=30)).isoformat(),
            "written_confirmed": "y",
        },
    )
    assert response.status_code == 302, text(response)
    assert send(world, public_id).status_code == 302
    with app.app_context():
        assert world.referral(public_id).status == S.REQUESTED


@pytest.mark.parametrize(("hours", "expected"), [(24, 24), (0, 72)])
def test_send_sets_the_response_due_time(app, world, hours, expected):
    """Due = sent + the program's response time; a program without one gets the default 72."""
    with app.app_context():
        db.session.get(Program, world.program.id).response_time_hours = hours
        db.session.commit()
        assert app.config["DEFAULT_RESPONSE_HOURS"] == 72
    add_consent(app, world.intake, world.receiving, by=world.caseworker)
    public_id = draft(app, world)
    response = send(world, public_id, priority="urgent")
    assert response.status_code == 302
    with app.app_context():
        referral = world.referral(public_id)
        assert referral.status == S.REQUESTED
        assert referral.sent_at is not None
        assert referral.response_due_at - referral.sent_at == timedelta(hours=expected)
        assert referral.priority.value == "urgent"
        assert referral.note == NOTE
    # The partner now sees it, in the inbox and on its page.
    assert public_id in text(world.partner_client.get("/inbox"))
    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 200


def test_one_intake_cannot_hold_two_open_referrals_to_one_program(app, world):
    add_consent(app, world.intake, world.receiving, by=world.caseworker)
    first = draft(app, world)
    with app.app_context(), pytest.raises(services.ReferralError, match="already has an open"):
        draft(app, world)
    # Still refused once the first one has been sent; the matches page says so too.
    assert send(world, first).status_code == 302
    with app.app_context(), pytest.raises(services.ReferralError, match="already has an open"):
        draft(app, world)
    response = world.caseworker_client.post(
        f"/intakes/{world.intake.client_code}/matches/{world.program.id}/draft",
        follow_redirects=True,
    )
    assert "already has an open referral to this program" in text(response)
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
        assert count == 1
    # Once it is closed, a new referral to the same program may start.
    version = version_on_page(world.caseworker_client, first)
    response = world.caseworker_client.post(
        f"/referrals/{first}/cancel",
        data={"version": version, "reason": "need_met_elsewhere", "confirm": "y"},
    )
    assert response.status_code == 302
    assert draft(app, world) != first


# --- revoking consent ------------------------------------------------------------------------


def test_revoking_consent_hides_the_referral_and_cancels_it(app, world):
    consent_id = add_consent(app, world.intake, world.receiving, by=world.caseworker)
    public_id = draft(app, world)
    assert send(world, public_id).status_code == 302
    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 200
    assert public_id in text(world.partner_client.get("/inbox"))

    response = world.caseworker_client.post(
        f"/intakes/{world.intake.client_code}/consent/{consent_id}/revoke"
    )
    assert response.status_code == 302

    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 404
    assert world.partner_2_client.get(f"/referrals/{public_id}").status_code == 404
    assert public_id not in text(world.partner_client.get("/inbox"))
    page = world.caseworker_client.get(f"/referrals/{public_id}")
    assert page.status_code == 200
    assert "Cancelled because" in text(page)
    assert CancelReason.CONSENT_REVOKED.label in text(page)
    with app.app_context():
        referral = world.referral(public_id)
        assert referral.status == S.CANCELLED
        assert referral.cancel_reason == CancelReason.CONSENT_REVOKED
        assert referral.closed_at is not None
        changes = [e for e in referral.events if e.kind == "status_change"]
        assert [(e.from_status, e.to_status, e.reason) for e in changes][-1] == (
            S.REQUESTED,
            S.CANCELLED,
            "consent_revoked",
        )


def test_revoking_one_consent_keeps_referrals_another_consent_covers(app, world):
    first = add_consent(app, world.intake, world.receiving, by=world.caseworker)
    add_consent(app, world.intake, world.receiving, world.other_receiving, by=world.caseworker)
    public_id = draft(app, world)
    assert send(world, public_id).status_code == 302
    response = world.caseworker_client.post(
        f"/intakes/{world.intake.client_code}/consent/{first}/revoke"
    )
    assert response.status_code == 302
    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 200
    with app.app_context():
        assert world.referral(public_id).status == S.REQUESTED


# --- declines have consequences --------------------------------------------------------------


def _decline(world: World, public_id: str, reason: str):
    version = version_on_page(world.partner_client, public_id)
    return world.partner_client.post(
        f"/referrals/{public_id}/decline",
        data={"version": version, "reason": reason, "confirm": "y"},
    )


def test_decline_not_eligible_removes_the_program_from_the_matches(app, world):
    public_id = sent_referral(app, world)
    with app.app_context():
        intake = db.session.get(Intake, world.intake.id)
        assert world.program.id in {row.program.id for row in match_intake(intake).ranked}
    assert _decline(world, public_id, "not_eligible").status_code == 302
    with app.app_context():
        intake = db.session.get(Intake, world.intake.id)
        result = match_intake(intake)
        assert world.program.id not in {row.program.id for row in result.ranked}
        excluded = {row.program.id: row.reason_code for row in result.excluded}
        assert excluded[world.program.id] == "declined_not_eligible"
        assert world.referral(public_id).decline_reason == DeclineReason.NOT_ELIGIBLE


def test_decline_no_capacity_marks_the_program_full_and_suggests_next_matches(
    app, world, make_program
):
    make_program(org=world.other_receiving, name="Northland Counseling Circle")
    public_id = sent_referral(app, world)
    assert _decline(world, public_id, "no_capacity").status_code == 302
    with app.app_context():
        program = db.session.get(Program, world.program.id)
        assert program.capacity_available == 0
        assert program.capacity_updated_at is not None
    body = text(world.caseworker_client.get(f"/referrals/{public_id}"))
    assert "This program was full" in body
    assert "Next matches" in body
    assert "Northland Counseling Circle" in body
    # The partner who declined is not shown the sender's suggestions.
    assert "This program was full" not in text(world.partner_client.get(f"/referrals/{public_id}"))


def test_other_decline_reasons_leave_matches_and_capacity_alone(app, world):
    public_id = sent_referral(app, world)
    assert _decline(world, public_id, "client_declined").status_code == 302
    with app.app_context():
        assert db.session.get(Program, world.program.id).capacity_available == 3
        intake = db.session.get(Intake, world.intake.id)
        assert world.program.id in {row.program.id for row in match_intake(intake).ranked}
    assert "This program was full" not in text(
        world.caseworker_client.get(f"/referrals/{public_id}")
    )


# --- read receipt ----------------------------------------------------------------------------


def _receipts(app, public_id: str) -> tuple[int, object, int]:
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral).where(Referral.public_id == public_id))
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ReferralEvent)
            .where(ReferralEvent.referral_id == referral.id, ReferralEvent.kind == "read_receipt")
        )
        return int(count or 0), referral.first_viewed_at, referral.version


def test_first_view_by_the_receiver_is_a_read_receipt(app, world):
    public_id = sent_referral(app, world)
    count, first_viewed, version = _receipts(app, public_id)
    assert (count, first_viewed) == (0, None)

    # The sender's views are not receipts.
    assert world.caseworker_client.get(f"/referrals/{public_id}").status_code == 200
    assert _receipts(app, public_id) == (0, None, version)

    # The inbox marks it new until the receiver opens it.
    assert 'data-testid="unread"' in text(world.partner_client.get("/inbox"))
    assert world.partner_client.get(f"/referrals/{public_id}").status_code == 200
    count, first_viewed, after = _receipts(app, public_id)
    assert count == 1
    assert first_viewed is not None
    assert after == version
    assert 'data-testid="unread"' not in text(world.partner_client.get("/inbox"))

    # Later views, by the same person or a colleague, add nothing.
    world.partner_client.get(f"/referrals/{public_id}")
    world.partner_2_client.get(f"/referrals/{public_id}")
    world.caseworker_client.get(f"/referrals/{public_id}")
    assert _receipts(app, public_id) == (1, first_viewed, version)

    # The sender's timeline shows it, and a receipt never stands in the way of an action.
    assert "Opened by the receiving organization" in text(
        world.caseworker_client.get(f"/referrals/{public_id}")
    )
    with app.app_context():
        receipt = db.session.scalar(
            sa.select(ReferralEvent).where(ReferralEvent.kind == "read_receipt")
        )
        assert receipt.from_status is None
        assert receipt.to_status is None
    version_seen_before_receipt = str(version)
    response = world.partner_client.post(
        f"/referrals/{public_id}/accept", data={"version": version_seen_before_receipt}
    )
    assert response.status_code == 302
