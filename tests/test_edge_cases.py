"""Edge cases found in review: counts that leak, inputs that crashed, gaps in the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Notification, Referral
from referrals.localtime import local_date
from referrals.programs.models import Organization
from tests.conftest import login

NOW = datetime.now(UTC)


@pytest.fixture
def pair(app, make_org, make_user, make_program, make_intake):
    """A sender and a receiver; ``add`` makes a referral, with or without consent."""
    sender = make_org(name="Sender", receives=False)
    receiver = make_org(name="Receiver", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sender)
    partner = make_user(Role.PARTNER, org=receiver)
    program = make_program(org=receiver)

    def add(status=ReferralStatus.REQUESTED, consent=True) -> Referral:
        intake = make_intake(by=caseworker)
        with app.app_context():
            if consent:
                db.session.add(
                    Consent(
                        intake_id=intake.id,
                        given_at=NOW - timedelta(days=1),
                        expires_at=NOW + timedelta(days=30),
                        recorded_by_id=caseworker.id,
                        organizations=[db.session.get(Organization, receiver.id)],
                    )
                )
            referral = Referral(
                intake_id=intake.id,
                program_id=program.id,
                receiving_organization_id=receiver.id,
                sending_organization_id=sender.id,
                sent_by_id=caseworker.id,
                status=status,
                sent_at=None if status == ReferralStatus.DRAFT else NOW,
            )
            db.session.add(referral)
            db.session.commit()
            db.session.refresh(referral)
            db.session.expunge(referral)
            return referral

    return caseworker, partner, add


def _client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def test_home_counts_only_what_the_partner_may_open(app, pair):
    caseworker, partner, add = pair
    add(ReferralStatus.DRAFT)
    add(ReferralStatus.CANCELLED, consent=False)
    add(ReferralStatus.REQUESTED)
    body = _client(app, partner).get("/").get_data(as_text=True)
    assert 'data-testid="count-draft">' in body
    assert '<a class="text-decoration-none" href="/inbox?status=draft">0</a>' in body
    assert '<a class="text-decoration-none" href="/inbox?status=cancelled">0</a>' in body
    assert '<a class="text-decoration-none" href="/inbox?status=requested">1</a>' in body
    sender_home = _client(app, caseworker).get("/").get_data(as_text=True)
    assert '<a class="text-decoration-none" href="/referrals/?status=draft">1</a>' in sender_home


def test_notifications_stop_naming_a_referral_once_consent_ends(app, pair):
    _caseworker, partner, add = pair
    hidden = add(consent=False)
    with app.app_context():
        db.session.add(
            Notification(
                recipient_id=partner.id, referral_id=hidden.id, kind=NotificationKind.NEW_REFERRAL
            )
        )
        db.session.commit()
    body = _client(app, partner).get("/notifications").get_data(as_text=True)
    assert hidden.public_id not in body


def test_a_draft_of_a_closed_intake_cannot_be_sent(app, pair):
    caseworker, _partner, add = pair
    draft = add(ReferralStatus.DRAFT)
    with app.app_context():
        db.session.get(Intake, draft.intake_id).is_open = False
        db.session.commit()
    response = _client(app, caseworker).post(
        f"/referrals/{draft.public_id}/send", data={"version": "1", "priority": "routine"}
    )
    assert response.status_code == 400
    assert "This intake is closed" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Referral, draft.id).status == ReferralStatus.DRAFT


@pytest.mark.parametrize(
    "path",
    [
        "/programs/99999999999999999999999999",
        "/notifications/99999999999999999999/read",
    ],
)
def test_huge_ids_are_404(app, pair, path):
    caseworker, _partner, _add = pair
    client = _client(app, caseworker)
    method = "POST" if path.endswith("/read") else "GET"
    assert client.open(path, method=method).status_code == 404


@pytest.mark.parametrize(
    "cursor",
    [
        "0001-01-01T00:00:00%2B01:00_1",
        "2026-01-01T00:00:00%2B00:00_" + "9" * 30,
        "2026-01-01_1",
        "garbage",
        "_",
    ],
)
def test_odd_cursors_start_from_the_top(app, pair, cursor):
    caseworker, partner, _add = pair
    for user, path in (
        (caseworker, "/referrals/"),
        (caseworker, "/intakes/"),
        (partner, "/inbox"),
        (partner, "/notifications"),
    ):
        assert _client(app, user).get(f"{path}?after={cursor}").status_code == 200, path


@pytest.mark.parametrize("version", ["²", "9" * 40, "-1", "", "1.5"])
def test_odd_versions_are_refused_cleanly(app, pair, version):
    _caseworker, partner, add = pair
    referral = add()
    response = _client(app, partner).post(
        f"/referrals/{referral.public_id}/accept", data={"version": version}
    )
    assert response.status_code in (400, 409)
    with app.app_context():
        assert db.session.get(Referral, referral.id).status == ReferralStatus.REQUESTED


def test_people_cannot_choose_the_reasons_only_the_system_records(app, pair):
    caseworker, _partner, add = pair
    referral = add()
    client = _client(app, caseworker)
    page = client.get(f"/referrals/{referral.public_id}").get_data(as_text=True)
    assert 'value="consent_revoked"' not in page
    assert 'value="client_declined"' in page
    response = client.post(
        f"/referrals/{referral.public_id}/cancel",
        data={"version": "1", "reason": "consent_revoked", "confirm": "y"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Referral, referral.id).status == ReferralStatus.REQUESTED


def test_edit_and_consent_pages_are_audited_as_views(app, login_as, make_intake):
    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user)
    client.get(f"/intakes/{intake.client_code}/edit")
    client.get(f"/intakes/{intake.client_code}/consent")
    with app.app_context():
        pages = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "intake.viewed")
        )
        assert sorted(detail["page"] for detail in pages) == ["consent", "edit"]


def test_consent_for_exactly_the_longest_period_is_accepted(app, login_as, make_org, make_intake):
    receiver = make_org(refers=False)
    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user)
    # The coalition's day, as the form reads it (in UTC it is already tomorrow after 6 pm).
    last_day = (local_date(datetime.now(UTC)) + timedelta(days=365)).isoformat()
    response = client.post(
        f"/intakes/{intake.client_code}/consent",
        data={"organization_ids": [receiver.id], "expires_on": last_day, "written_confirmed": "y"},
    )
    assert response.status_code == 302
