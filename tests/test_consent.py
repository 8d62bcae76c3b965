"""Written, time-limited consent: record, limits, minors, revocation, history."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from referrals.enums import AgeBand, Role
from referrals.extensions import db
from referrals.intake.models import Consent

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")


def today() -> date:
    """Consent dates are the coalition's days (COALITION_TIMEZONE)."""
    return datetime.now(ZoneInfo("America/Chicago")).date()


def _consents(app) -> list[Consent]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Consent)))
        for row in rows:
            _ = row.organizations  # load before the session closes
        return rows


def _setup(make_org, make_intake, login_as, **intake_fields):
    receiver = make_org(name="Receiving Partner", refers=False)
    client, user = login_as(Role.CASEWORKER)
    intake = make_intake(by=user, **intake_fields)
    return client, intake, receiver


def test_consent_form_defaults_to_90_days(app, make_org, make_intake, login_as):
    client, intake, _receiver = _setup(make_org, make_intake, login_as)
    page = client.get(f"/intakes/{intake.client_code}/consent").get_data(as_text=True)
    assert (today() + timedelta(days=90)).isoformat() in page
    assert "Receiving Partner" in page


def test_record_consent_and_see_it_at_a_glance(app, make_org, make_intake, login_as):
    client, intake, receiver = _setup(make_org, make_intake, login_as)
    expires = (today() + timedelta(days=30)).isoformat()
    response = client.post(
        f"/intakes/{intake.client_code}/consent",
        data={"organization_ids": [receiver.id], "expires_on": expires, "written_confirmed": "y"},
    )
    assert response.status_code == 302
    page = client.get(f"/intakes/{intake.client_code}").get_data(as_text=True)
    assert "Consent active" in page
    assert "Receiving Partner" in page
    day = today() + timedelta(days=30)
    assert f"{day.month}/{day.day}/{day.year}" in page  # the date as pages show it
    [consent] = _consents(app)
    assert [org.id for org in consent.organizations] == [receiver.id]
    assert consent.method == "written"


def test_consent_longer_than_a_year_is_refused(app, make_org, make_intake, login_as):
    client, intake, receiver = _setup(make_org, make_intake, login_as)
    response = client.post(
        f"/intakes/{intake.client_code}/consent",
        data={
            "organization_ids": [receiver.id],
            "expires_on": (today() + timedelta(days=400)).isoformat(),
            "written_confirmed": "y",
        },
    )
    assert response.status_code == 400
    assert "at most 365 days" in response.get_data(as_text=True)
    assert _consents(app) == []


def test_consent_in_the_past_or_without_expiry_or_writing_is_refused(
    app, make_org, make_intake, login_as
):
    client, intake, receiver = _setup(make_org, make_intake, login_as)
    url = f"/intakes/{intake.client_code}/consent"
    yesterday = (today() - timedelta(days=1)).isoformat()
    cases = [
        ({"expires_on": yesterday, "written_confirmed": "y"}, "must be in the future"),
        ({"expires_on": "", "written_confirmed": "y"}, "This field is required"),
        ({"expires_on": "not a date", "written_confirmed": "y"}, "Not a valid date value"),
        ({"expires_on": (today() + timedelta(days=9)).isoformat()}, "written and informed"),
    ]
    for data, message in cases:
        response = client.post(url, data={"organization_ids": [receiver.id], **data})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), message
    no_org = client.post(
        url,
        data={"expires_on": (today() + timedelta(days=9)).isoformat(), "written_confirmed": "y"},
    )
    assert "Choose at least one organization" in no_org.get_data(as_text=True)
    assert _consents(app) == []


def test_minor_needs_guardian_consent(app, make_org, make_intake, login_as):
    client, intake, receiver = _setup(make_org, make_intake, login_as, age_band=AgeBand.AGE_14_15)
    url = f"/intakes/{intake.client_code}/consent"
    data = {
        "organization_ids": [receiver.id],
        "expires_on": (today() + timedelta(days=60)).isoformat(),
        "written_confirmed": "y",
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 400
    assert "minor" in refused.get_data(as_text=True)
    assert _consents(app) == []
    accepted = client.post(
        url, data={**data, "guardian_consent": "y", "guardian_relationship": "legal guardian"}
    )
    assert accepted.status_code == 302
    [consent] = _consents(app)
    assert consent.guardian_consent
    assert consent.guardian_relationship == "legal guardian"


def test_revoke_consent_keeps_history(app, make_org, make_intake, login_as):
    client, intake, receiver = _setup(make_org, make_intake, login_as)
    client.post(
        f"/intakes/{intake.client_code}/consent",
        data={
            "organization_ids": [receiver.id],
            "expires_on": (today() + timedelta(days=30)).isoformat(),
            "written_confirmed": "y",
        },
    )
    [consent] = _consents(app)
    response = client.post(f"/intakes/{intake.client_code}/consent/{consent.id}/revoke")
    assert response.status_code == 302
    page = client.get(f"/intakes/{intake.client_code}/consent").get_data(as_text=True)
    assert "revoked" in page
    assert "No active consent" in page
    [revoked] = _consents(app)
    assert revoked.revoked_at is not None
    again = client.post(
        f"/intakes/{intake.client_code}/consent/{consent.id}/revoke", follow_redirects=True
    )
    assert "already revoked" in again.get_data(as_text=True)


def test_consent_of_another_intake_cannot_be_revoked_through_this_one(
    app, make_org, make_intake, login_as
):
    client, intake, _receiver = _setup(make_org, make_intake, login_as)
    assert client.post(f"/intakes/{intake.client_code}/consent/999/revoke").status_code == 404


def test_only_receiving_organizations_can_be_named(app, make_org, make_intake, login_as):
    client, intake, _ = _setup(make_org, make_intake, login_as)
    not_receiving = make_org(receives=False)
    response = client.post(
        f"/intakes/{intake.client_code}/consent",
        data={
            "organization_ids": [not_receiving.id],
            "expires_on": (today() + timedelta(days=30)).isoformat(),
            "written_confirmed": "y",
        },
    )
    assert response.status_code == 400
    assert _consents(app) == []
