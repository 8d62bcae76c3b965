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
