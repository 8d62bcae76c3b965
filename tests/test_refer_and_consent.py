"""Referring from the matches (issue #19): consent-aware, one confirmed step, and nothing left
behind when sending is refused; the intake form preselects nothing that matters."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.db_types import utcnow
from referrals.enums import Priority, ReferralStatus, Role, Urgency
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")


def _world(app, make_org, make_user, make_program, make_intake, *, urgency=Urgency.URGENT):
    sending = make_org(name="Refer Outreach", receives=False)
    covered = make_org(name="Covered Shelter", refers=False)
    uncovered = make_org(name="Uncovered Clinic", refers=False)
    caseworker = make_user(Role.CASEWORKER, org=sending)
    covered_program = make_program(org=covered, name="Covered Beds")
    uncovered_program = make_program(org=uncovered, name="Uncovered Counseling")
    intake = make_intake(by=caseworker, urgency=urgency)
    with app.app_context():
        now = utcnow()
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=now - timedelta(hours=1),
                expires_at=now + timedelta(days=40),
                recorded_by_id=caseworker.id,
                organizations=[db.session.get(Organization, covered.id)],
            )
        )
        db.session.commit()
    client = app.test_client()
    assert login(client, caseworker).status_code == 302
    return client, intake.client_code, covered_program, uncovered_program, uncovered


def _referrals(app) -> list[Referral]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Referral).order_by(Referral.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def test_the_matches_say_which_programs_the_consent_covers(
    app, make_org, make_user, make_program, make_intake
):
    client, code, covered, uncovered, _org = _world(
        app, make_org, make_user, make_program, make_intake
    )
    page = client.get(f"/intakes/{code}/matches").get_data(as_text=True)
    assert f"/intakes/{code}/matches/{covered.id}/refer" in page
    assert f"/intakes/{code}/matches/{uncovered.id}/refer" not in page
    assert "The consent does not cover Uncovered Clinic." in page
    assert "Extend consent to Uncovered Clinic" in page
    # The refer form starts from the intake's urgency.
    selected = re.search(r'<option selected value="(\w+)">', page) or re.search(
        r'<option value="(\w+)" selected>', page
    )
    assert selected is not None
    assert selected.group(1) == Priority.URGENT.value


def test_refer_sends_in_one_step(app, make_org, make_user, make_program, make_intake):
    client, code, covered, _uncovered, _org = _world(
        app, make_org, make_user, make_program, make_intake
    )
    response = client.post(
        f"/intakes/{code}/matches/{covered.id}/refer",
        data={"priority": "urgent", "note": "Needs a bed this week.", "confirm": "y"},
    )
    assert response.status_code == 302
    (referral,) = _referrals(app)
    assert response.headers["Location"].endswith(f"/referrals/{referral.public_id}")
    assert (referral.status, referral.priority, referral.note) == (
        ReferralStatus.REQUESTED,
        Priority.URGENT,
        "Needs a bed this week.",
    )


def test_unconfirmed_refer_sends_nothing(app, make_org, make_user, make_program, make_intake):
    client, code, covered, _uncovered, _org = _world(
        app, make_org, make_user, make_program, make_intake
    )
    response = client.post(
        f"/intakes/{code}/matches/{covered.id}/refer", data={"priority": "urgent"}
    )
    assert response.status_code == 302
    assert _referrals(app) == []
    assert "Tick the box to send the referral." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_a_refused_send_leaves_no_draft(app, make_org, make_user, make_program, make_intake):
    client, code, _covered, uncovered, _org = _world(
        app, make_org, make_user, make_program, make_intake
    )
    response = client.post(
        f"/intakes/{code}/matches/{uncovered.id}/refer",
        data={"priority": "routine", "confirm": "y"},
        follow_redirects=True,
    )
    assert "does not cover Uncovered Clinic" in response.get_data(as_text=True)
    assert _referrals(app) == []
    with app.app_context():
        assert not db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "referral.drafted")
        )


def test_extending_consent_is_recorded_as_consent_then_refer_works(
    app, make_org, make_user, make_program, make_intake
):
    client, code, _covered, uncovered, org = _world(
        app, make_org, make_user, make_program, make_intake
    )
    refused = client.post(f"/intakes/{code}/consent/extend", data={"organization_id": str(org.id)})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consent)) == 1
    extended = client.post(
        f"/intakes/{code}/consent/extend", data={"organization_id": str(org.id), "agreed": "y"}
    )
    assert extended.status_code == 302
    with app.app_context():
        consents = list(db.session.scalars(sa.select(Consent).order_by(Consent.id)))
        assert len(consents) == 2
        assert [o.id for o in consents[1].organizations] == [org.id]
        assert consents[1].expires_at == consents[0].expires_at
        recorded = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action == "consent.recorded")
        ).all()
        assert len(recorded) == 1
    sent = client.post(
        f"/intakes/{code}/matches/{uncovered.id}/refer",
        data={"priority": "routine", "confirm": "y"},
    )
    assert sent.status_code == 302
    assert [r.status for r in _referrals(app)] == [ReferralStatus.REQUESTED]


def test_the_intake_form_preselects_no_age_band_gender_or_county(app, login_as):
    client, _user = login_as(Role.CASEWORKER)
    page = client.get("/intakes/new").get_data(as_text=True)
    for name in ("age_band", "gender", "county"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select is not None, name
        # Only the "Choose…" prompt is selected, and the form refuses it as an answer.
        selected = re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"', select.group(1))
        assert selected in ([], [""]), name
        assert "Choose…" in select.group(1), name
    response = client.post(
        "/intakes/new",
        data={"languages": ["English"], "needs": ["counseling"], "urgency": "routine"},
    )
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("Choose one.") == 3
