"""Working together on a referral (issue #19): the thread, assignment, contact, forwarding,
hold and decline details, and the receiver's cancel — each through the pages, as people use
them, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.admin import user_services
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Notification, Referral, ReferralMessage
from referrals.programs.models import Organization, Program
from referrals.retention.services import purge
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

S = ReferralStatus


@dataclass
class World:
    app: object
    public_id: str
    referral_id: int
    consent_id: int
    intake_id: int
    caseworker: User
    sender_colleague: User
    partner: User
    receiver_colleague: User
    outsider: User
    second_program_id: int
    other_org_program_id: int

    def client(self, user: User):
        client = self.app.test_client()
        assert login(client, user).status_code == 302
        return client


@pytest.fixture
def world(app, make_org, make_user, make_program, make_intake) -> World:
    sending = make_org(name="Together Outreach", receives=False, phone="(816) 555-0142")
    receiving = make_org(name="Together Shelter", refers=False, phone="(816) 555-0177")
    elsewhere = make_org(name="Elsewhere Programs")
    caseworker = make_user(Role.CASEWORKER, org=sending, display_name="Casey Worker")
    colleague = make_user(Role.CASEWORKER, org=sending, display_name="Colin League")
    partner = make_user(Role.PARTNER, org=receiving, display_name="Pat Partner")
    receiver_colleague = make_user(Role.PARTNER, org=receiving, display_name="Robin Colleague")
    outsider = make_user(Role.PARTNER, org=elsewhere)
    program = make_program(org=receiving, name="Together Beds")
    second = make_program(org=receiving, name="Together Counseling")
    other_org_program = make_program(org=elsewhere, name="Elsewhere Beds")
    intake = make_intake(by=caseworker)
    with app.app_context():
        now = utcnow()
        consent = Consent(
            intake_id=intake.id,
            given_at=now - timedelta(hours=1),
            expires_at=now + timedelta(days=30),
            recorded_by_id=caseworker.id,
            organizations=[db.session.get(Organization, receiving.id)],
        )
        referral = Referral(
            intake_id=intake.id,
            program_id=program.id,
            receiving_organization_id=receiving.id,
            sending_organization_id=sending.id,
            sent_by_id=caseworker.id,
            status=S.REQUESTED,
            sent_at=now,
            response_due_at=now + timedelta(hours=72),
            note="Needs a bed this week.",
        )
        db.session.add_all([consent, referral])
        db.session.commit()
        return World(
            app=app,
            public_id=referral.public_id,
            referral_id=referral.id,
            consent_id=consent.id,
            intake_id=intake.id,
            caseworker=caseworker,
            sender_colleague=colleague,
            partner=partner,
            receiver_colleague=receiver_colleague,
            outsider=outsider,
            second_program_id=second.id,
            other_org_program_id=other_org_program.id,
        )


def _messages(app, referral_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(ReferralMessage.body)
                .where(ReferralMessage.referral_id == referral_id)
                .order_by(ReferralMessage.id)
            )
        )


def _notified(app, kind: NotificationKind) -> set[int]:
    with app.app_context():
        return set(
            db.session.scalars(
                sa.select(Notification.recipient_id).where(Notification.kind == kind)
            )
        )


def test_the_thread_goes_both_ways_and_tells_the_other_side(app, world):
    partner, caseworker = world.client(world.partner), world.client(world.caseworker)
    asked = partner.post(
        f"/referrals/{world.public_id}/messages", data={"body": "Can she come on Tuesday?"}
    )
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith(f"/referrals/{world.public_id}#thread")
    # Nobody is assigned on the sending side yet: its caseworkers hear of it.
    assert _notified(app, NotificationKind.MESSAGE) == {
        world.caseworker.id,
        world.sender_colleague.id,
    }
    page = caseworker.get(f"/referrals/{world.public_id}").get_data(as_text=True)
    assert "Can she come on Tuesday?" in page
    assert (
        caseworker.post(
            f"/referrals/{world.public_id}/messages", data={"body": "Yes, in the morning."}
        ).status_code
        == 302
    )
    assert _messages(app, world.referral_id) == ["Can she come on Tuesday?", "Yes, in the morning."]
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == world.public_id)
        ).all()
        assert actions.count("referral.message_posted") == 2


def test_a_message_carrying_an_identifier_is_refused_with_the_guards_message(app, world):
    partner = world.client(world.partner)
    refused = partner.post(
        f"/referrals/{world.public_id}/messages",
        data={"body": "Call her on eight one six, five five five, zero one four two"},
    )
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "phone number" in text.lower()
    # The error is tied to the field for a screen reader, beside its help text.
    assert 'aria-invalid="true"' in text
    assert 'aria-describedby="body-help body-error"' in text
    assert 'id="body-error"' in text
    assert _messages(app, world.referral_id) == []
    assert _notified(app, NotificationKind.MESSAGE) == set()


def test_another_organization_gets_404_on_messages_and_assignment(app, world):
    outsider = world.client(world.outsider)
    for path, data in (
        ("messages", {"body": "Hello"}),
        ("assign", {"assignee": str(world.outsider.id)}),
        ("forward", {"program": str(world.other_org_program_id), "version": "1"}),
    ):
        assert outsider.post(f"/referrals/{world.public_id}/{path}", data=data).status_code == 404
    assert _messages(app, world.referral_id) == []


def test_revoking_consent_hides_the_thread(app, world):
    world.client(world.caseworker).post(
        f"/referrals/{world.public_id}/messages", data={"body": "She prefers mornings."}
    )
    with app.app_context():
        consent = db.session.get(Consent, world.consent_id)
        consent.revoked_at = utcnow()
        db.session.commit()
    partner = world.client(world.partner)
    assert partner.get(f"/referrals/{world.public_id}").status_code == 404
    assert (
        partner.post(
            f"/referrals/{world.public_id}/messages", data={"body": "Still there?"}
        ).status_code
        == 404
    )
    assert _messages(app, world.referral_id) == ["She prefers mornings."]


def test_assignment_on_each_side_shows_as_contact_and_notifies(app, world):
    partner = world.client(world.partner)
    assigned = partner.post(
        f"/referrals/{world.public_id}/assign", data={"assignee": str(world.receiver_colleague.id)}
    )
    assert assigned.status_code == 302
    assert _notified(app, NotificationKind.ASSIGNED) == {world.receiver_colleague.id}
    # Someone of another organization cannot be chosen.
    refused = partner.post(
        f"/referrals/{world.public_id}/assign", data={"assignee": str(world.caseworker.id)}
    )
    assert refused.status_code == 400
    caseworker = world.client(world.caseworker)
    caseworker.post(
        f"/referrals/{world.public_id}/assign", data={"assignee": str(world.caseworker.id)}
    )
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        assert (referral.sender_assignee_id, referral.receiver_assignee_id) == (
            world.caseworker.id,
            world.receiver_colleague.id,
        )
        assert referral.version == 1  # assignment is not a change of state
    page = caseworker.get(f"/referrals/{world.public_id}").get_data(as_text=True)
    contacts = re.findall(r'data-testid="contact">(.*?)</div>\s*</div>', page, re.S)
    assert len(contacts) == 2
    assert "(816) 555-0142" in contacts[0]
    assert world.caseworker.email in contacts[0]
    assert "(816) 555-0177" in contacts[1]
    assert world.receiver_colleague.email in contacts[1]
    # A message now goes to the assignee only.
    caseworker.post(f"/referrals/{world.public_id}/messages", data={"body": "Any news?"})
    assert _notified(app, NotificationKind.MESSAGE) == {world.receiver_colleague.id}


def test_deactivating_a_user_unassigns_them(app, world, make_user, make_org):
    world.client(world.partner).post(
        f"/referrals/{world.public_id}/assign", data={"assignee": str(world.receiver_colleague.id)}
    )
    admin = make_user(Role.ADMIN, org=make_org(name="Coalition Office"))
    with app.app_context():
        user_services.deactivate_user(
            db.session.get(User, world.receiver_colleague.id), by=db.session.get(User, admin.id)
        )
        db.session.commit()
        assert db.session.get(Referral, world.referral_id).receiver_assignee_id is None


def test_an_intake_has_an_assigned_caseworker(app, world):
    caseworker = world.client(world.caseworker)
    with app.app_context():
        code = db.session.get(Intake, world.intake_id).client_code
    assert (
        caseworker.post(
            f"/intakes/{code}/assign", data={"assignee": str(world.sender_colleague.id)}
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Intake, world.intake_id).assignee_id == world.sender_colleague.id
    refused = caseworker.post(f"/intakes/{code}/assign", data={"assignee": str(world.partner.id)})
    assert refused.status_code == 400


def _version(app, referral_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Referral, referral_id).version)


def test_the_receiver_forwards_to_another_of_its_programs(app, world):
    partner = world.client(world.partner)
    refused = partner.post(
        f"/referrals/{world.public_id}/forward",
        data={
            "program": str(world.other_org_program_id),
            "version": _version(app, world.referral_id),
        },
    )
    assert refused.status_code == 400
    forwarded = partner.post(
        f"/referrals/{world.public_id}/forward",
        data={"program": str(world.second_program_id), "version": _version(app, world.referral_id)},
    )
    assert forwarded.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        assert (referral.program_id, referral.status) == (world.second_program_id, S.REQUESTED)
    assert world.caseworker.id in _notified(app, NotificationKind.STATUS_CHANGE)
    # The sender cannot forward a referral it sent.
    assert (
        world.client(world.caseworker)
        .post(
            f"/referrals/{world.public_id}/forward",
            data={
                "program": str(world.second_program_id),
                "version": _version(app, world.referral_id),
            },
        )
        .status_code
        == 403
    )


def _act(client, app, world, action: str, **data: str):
    return client.post(
        f"/referrals/{world.public_id}/{action}",
        data={"version": _version(app, world.referral_id), **data},
    )


def test_hold_reason_and_date_are_shown_to_the_sender_and_cleared_on_resume(app, world):
    partner = world.client(world.partner)
    assert _act(partner, app, world, "accept").status_code == 302
    assert _act(partner, app, world, "waitlist").status_code == 400  # a reason is required
    held = _act(partner, app, world, "waitlist", reason="waitlist_no_bed", until="2099-03-01")
    assert held.status_code == 302
    page = world.client(world.caseworker).get(f"/referrals/{world.public_id}")
    hold = re.search(r'data-testid="hold-reason">(.*?)</dd>', page.get_data(as_text=True), re.S)
    assert hold is not None
    assert "no place free yet" in hold.group(1)
    assert "3/1/2099" in hold.group(1)  # the date as pages show it
    assert _act(partner, app, world, "resume").status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        assert (referral.hold_reason, referral.hold_until) == (None, None)


def test_declining_can_suggest_a_program_the_sender_sees(app, world):
    partner = world.client(world.partner)
    declined = _act(
        partner,
        app,
        world,
        "decline",
        reason="service_not_provided",
        suggested_program=str(world.other_org_program_id),
        confirm="y",
    )
    assert declined.status_code == 302
    page = (
        world.client(world.caseworker).get(f"/referrals/{world.public_id}").get_data(as_text=True)
    )
    suggested = re.search(r'data-testid="suggested-program">(.*?)</dd>', page, re.S)
    assert suggested is not None
    assert "Elsewhere Beds" in suggested.group(1)


def test_the_receiver_may_cancel_once_it_took_the_referral_on(app, world):
    partner = world.client(world.partner)
    # While requested, cancelling is the sender's move: the receiver declines instead.
    assert (
        _act(partner, app, world, "cancel", reason="client_declined", confirm="y").status_code
        == 403
    )
    _act(partner, app, world, "accept")
    cancelled = _act(partner, app, world, "cancel", reason="client_declined", confirm="y")
    assert cancelled.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        assert referral.status == S.CANCELLED
        assert referral.cancel_reason.value == "client_declined"


def test_retention_blanks_the_thread(app, world):
    world.client(world.partner).post(
        f"/referrals/{world.public_id}/messages", data={"body": "We can take her next week."}
    )
    with app.app_context():
        intake = db.session.get(Intake, world.intake_id)
        intake.is_open = False
        intake.closed_at = utcnow() - timedelta(days=800)
        db.session.commit()
        report = purge(days=730)
        db.session.commit()
        assert report.counts.messages == 1
    assert _messages(app, world.referral_id) == [""]


def test_a_message_on_a_draft_is_refused(app, world, make_program):
    with app.app_context():
        referral = db.session.get(Referral, world.referral_id)
        referral.status = S.DRAFT
        db.session.commit()
    refused = world.client(world.caseworker).post(
        f"/referrals/{world.public_id}/messages", data={"body": "Just a draft"}
    )
    assert refused.status_code == 400
    assert "Send the referral first" in refused.get_data(as_text=True)
    assert _messages(app, world.referral_id) == []


def test_program_unaffected_by_another_programs_name(app, world):
    """Forwarding keeps the intake's one-open-referral-per-program rule."""
    with app.app_context():
        db.session.add(
            Referral(
                intake_id=world.intake_id,
                program_id=world.second_program_id,
                receiving_organization_id=db.session.get(
                    Program, world.second_program_id
                ).organization_id,
                sending_organization_id=db.session.get(
                    Referral, world.referral_id
                ).sending_organization_id,
                sent_by_id=world.caseworker.id,
                status=S.DRAFT,
            )
        )
        db.session.commit()
    refused = world.client(world.partner).post(
        f"/referrals/{world.public_id}/forward",
        data={"program": str(world.second_program_id), "version": _version(app, world.referral_id)},
    )
    assert refused.status_code == 400
    assert "already has an open referral" in refused.get_data(as_text=True)


def test_assigned_to_me_filters_the_lists_and_shows_on_the_home_page(app, world):
    partner, caseworker = world.client(world.partner), world.client(world.caseworker)
    assert world.public_id in partner.get("/inbox").get_data(as_text=True)
    assert world.public_id not in partner.get("/inbox?assigned=me").get_data(as_text=True)
    home = partner.get("/").get_data(as_text=True)
    assert "0 open referrals assigned to you" in home
    partner.post(f"/referrals/{world.public_id}/assign", data={"assignee": str(world.partner.id)})
    caseworker.post(
        f"/referrals/{world.public_id}/assign", data={"assignee": str(world.caseworker.id)}
    )
    assert world.public_id in partner.get("/inbox?assigned=me").get_data(as_text=True)
    assert world.public_id in caseworker.get("/referrals/?assigned=me").get_data(as_text=True)
    assert "1 open referral assigned to you" in partner.get("/").get_data(as_text=True)
    assert "1 open referral assigned to you" in caseworker.get("/").get_data(as_text=True)
    colleague = world.client(world.receiver_colleague)
    assert world.public_id not in colleague.get("/inbox?assigned=me").get_data(as_text=True)


def test_the_partner_asks_the_sender_from_the_inbox_row(app, world):
    inbox = world.client(world.partner).get("/inbox").get_data(as_text=True)
    assert f'href="/referrals/{world.public_id}#thread" data-testid="ask-sender"' in inbox
