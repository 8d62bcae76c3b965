"""The program directory and capacity updates by the program's own staff."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.enums import Role
from referrals.extensions import db
from referrals.programs.models import Program


def _capacity(app, program_id):
    with app.app_context():
        program = db.session.get(Program, program_id)
        return program.capacity_available, program.capacity_updated_at


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SUPERVISOR])
def test_own_staff_update_capacity_in_one_step(app, make_org, make_program, login_as, role):
    org = make_org()
    program = make_program(org=org, capacity_available=1, capacity_maximum=6)
    client, _ = login_as(role, org=org)
    page = client.get(f"/programs/{program.id}")
    assert b"Update capacity" in page.data
    response = client.post(f"/programs/{program.id}/capacity", data={"available": "4"})
    assert response.status_code == 302
    available, updated_at = _capacity(app, program.id)
    assert available == 4
    assert updated_at is not None
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "program.capacity_updated")
        )
        assert event.detail == {"from": 1, "to": 4, "maximum": 6}


@pytest.mark.parametrize("role", [Role.PARTNER, Role.SUPERVISOR, Role.CASEWORKER])
def test_other_staff_cannot_update_capacity(app, make_program, login_as, role):
    program = make_program(capacity_available=2)
    client, _ = login_as(role)  # in another organization
    assert b"Update capacity" not in client.get(f"/programs/{program.id}").data
    response = client.post(f"/programs/{program.id}/capacity", data={"available": "9"})
    assert response.status_code == 403
    assert _capacity(app, program.id)[0] == 2


def test_caseworker_of_own_org_cannot_update_capacity(app, make_org, make_program, login_as):
    org = make_org()
    program = make_program(org=org, capacity_available=2)
    client, _ = login_as(Role.CASEWORKER, org=org)
    assert (
        client.post(f"/programs/{program.id}/capacity", data={"available": "0"}).status_code == 403
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"available": "-1"}, "Number must be between 0 and 100000"),
        ({"available": "lots"}, "Not a valid integer value"),
        ({"available": "11", "maximum": "10"}, "cannot exceed the maximum"),
        ({"available": ""}, "This field is required"),
    ],
)
def test_bad_capacity_gets_a_message_and_changes_nothing(
    app, make_org, make_program, login_as, data, message
):
    org = make_org()
    program = make_program(org=org, capacity_available=2, capacity_maximum=10)
    client, _ = login_as(Role.PARTNER, org=org)
    response = client.post(f"/programs/{program.id}/capacity", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _capacity(app, program.id) == (2, None)


def test_confidential_location_is_never_shown(app, make_org, make_program, login_as):
    org = make_org()
    program = make_program(org=org, confidential_location="Safe house on Secret Lane")
    client, _ = login_as(Role.PARTNER, org=org)
    for url in ("/programs/", f"/programs/{program.id}"):
        assert b"Secret Lane" not in client.get(url).data


def test_unknown_program_is_404(app, login_as):
    client, _ = login_as(Role.CASEWORKER)
    assert client.get("/programs/999999").status_code == 404


def _listed(client, query: str) -> set[str]:
    body = client.get(f"/programs/?{query}").get_data(as_text=True)
    return {name for name in ("Teen Home", "Adult Beds", "Legal Clinic") if name in body}


def test_directory_filters(app, make_org, make_program, login_as):
    org = make_org(name="Filter Org")
    make_program(
        org=org,
        name="Teen Home",
        service_types=["long_term_housing"],
        min_age=12,
        max_age=17,
        genders_served=["female"],
        languages=["English"],
        counties_served=["Clay County, MO"],
        capacity_available=0,
    )
    make_program(
        org=org,
        name="Adult Beds",
        service_types=["short_term_residential"],
        min_age=18,
        genders_served=["female"],
        languages=["English", "Spanish"],
        counties_served=["Jackson County, MO"],
        capacity_available=2,
    )
    make_program(
        org=org,
        name="Legal Clinic",
        service_types=["legal_aid"],
        languages=["Spanish"],
        capacity_available=None,
    )
    client, _ = login_as(Role.CASEWORKER)
    assert _listed(client, "") == {"Teen Home", "Adult Beds", "Legal Clinic"}
    assert _listed(client, "service=legal_aid") == {"Legal Clinic"}
    assert _listed(client, "age=15") == {"Teen Home", "Legal Clinic"}
    assert _listed(client, "age=30") == {"Adult Beds", "Legal Clinic"}
    assert _listed(client, "gender=male") == {"Legal Clinic"}
    assert _listed(client, "language=Spanish") == {"Adult Beds", "Legal Clinic"}
    assert _listed(client, "county=Jackson+County%2C+MO") == {"Adult Beds", "Legal Clinic"}
    assert _listed(client, "open_only=y") == {"Adult Beds"}
    assert _listed(client, "age=30&language=Spanish&open_only=y") == {"Adult Beds"}


def test_directory_bad_filter_is_a_message_not_an_error(app, make_program, login_as):
    make_program(name="Legal Clinic")
    client, _ = login_as(Role.CASEWORKER)
    response = client.get("/programs/?age=abc&service=nonsense")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Not a valid integer value" in body
    assert "Legal Clinic" in body  # an invalid filter narrows nothing


def test_program_page_shows_capacity_freshness_and_response_time(app, make_program, login_as):
    program = make_program(
        name="Fresh Beds",
        capacity_available=2,
        capacity_maximum=6,
        capacity_unit="bed",
        response_time_hours=24,
    )
    client, _ = login_as(Role.CASEWORKER)
    body = client.get(f"/programs/{program.id}").get_data(as_text=True)
    assert "2 beds open of 6" in body  # the unit in the plural it needs (#19 item 8)
    assert "never" in body  # capacity never updated
    assert "24 hours" in body
