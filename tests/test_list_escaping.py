"""Every list that shows organization or program names shows a hostile name escaped.

Names are typed by administrators; one holding markup or template syntax must come back as
text on every list (the inbox and its overdue panel, the overdue queue, the sent list, the
dashboards, the program directory, the home pages, the audit trail, the administrators'
lists), with autoescaping doing the work: no template turns it off
(tests/test_template_autoescape.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape

from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization
from tests.conftest import login

HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}")


@pytest.fixture(params=HOSTILE, ids=("script", "attribute", "template"))
def hostile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def names(
    app: Flask, make_org: Any, make_user: Any, make_program: Any, make_intake: Any, hostile: str
) -> dict[str, Any]:
    """A sender and a receiver named ``hostile``, with an overdue and a fresh referral."""
    sender = make_org(name=f"Sender {hostile}", receives=False)
    receiver = make_org(name=f"Receiver {hostile}", refers=False)
    program = make_program(org=receiver, name=f"Program {hostile}")
    caseworker = make_user(Role.CASEWORKER, org=sender)
    users = {
        Role.CASEWORKER: caseworker,
        Role.PARTNER: make_user(Role.PARTNER, org=receiver),
        Role.SUPERVISOR: make_user(Role.SUPERVISOR, org=sender),
        Role.ADMIN: make_user(Role.ADMIN, org=sender),
    }
    now = datetime.now(UTC)
    with app.app_context():
        for due_in_hours in (-5, 48):  # one overdue, one not yet
            intake = make_intake(by=caseworker)
            db.session.add(
                Consent(
                    intake_id=intake.id,
                    given_at=now - timedelta(days=1),
                    expires_at=now + timedelta(days=30),
                    recorded_by_id=caseworker.id,
                    organizations=[db.session.get(Organization, receiver.id)],
                )
            )
            db.session.add(
                Referral(
                    intake_id=intake.id,
                    program_id=program.id,
                    receiving_organization_id=receiver.id,
                    sending_organization_id=sender.id,
                    sent_by_id=caseworker.id,
                    status=ReferralStatus.REQUESTED,
                    sent_at=now - timedelta(hours=60),
                    response_due_at=now + timedelta(hours=due_in_hours),
                )
            )
        db.session.commit()
    return {"sender": sender.name, "receiver": receiver.name, "program": program.name, **users}


# Each list, who opens it, and the names it must show.
LISTS = (
    (Role.PARTNER, "/inbox", ("program", "sender")),  # the overdue panel and the newest
    (Role.PARTNER, "/inbox?status=overdue", ("program", "sender")),
    (Role.PARTNER, "/", ("program", "receiver")),
    (Role.PARTNER, "/dashboard", ("program", "receiver")),
    (Role.PARTNER, "/notifications", ("receiver",)),
    (Role.CASEWORKER, "/referrals/", ("program", "receiver")),
    (Role.CASEWORKER, "/dashboard", ("program", "receiver", "sender")),
    (Role.CASEWORKER, "/programs/", ("program", "receiver")),
    (Role.SUPERVISOR, "/dashboard/coalition", ("sender",)),
    (Role.SUPERVISOR, "/audit", ("sender",)),
    (Role.ADMIN, "/admin/organizations/", ("sender", "receiver")),
    (Role.ADMIN, "/admin/programs/", ("program", "receiver")),
    (Role.ADMIN, "/audit", ("sender", "receiver")),
)


def test_every_list_shows_hostile_names_as_text(
    app: Flask, names: dict[str, Any], hostile: str
) -> None:
    clients = {}
    for role in Role:
        clients[role] = app.test_client()
        assert login(clients[role], names[role]).status_code == 302
    failures = []
    for role, url, shown in LISTS:
        response = clients[role].get(url)
        body = response.get_data(as_text=True)
        where = f"{url} as {role.value}"
        if response.status_code != 200:
            failures.append(f"{where}: {response.status_code}")
            continue
        failures += [
            f"{where}: the {key}'s name is not shown as text"
            for key in shown
            if str(escape(names[key])) not in body
        ]
        if hostile != str(escape(hostile)) and hostile in body:
            failures.append(f"{where}: the name's markup is on the page as markup")
        if "alert(1)49" in body or "Sender 49" in body or "Program 49" in body:
            failures.append(f"{where}: template syntax in a name was evaluated")
    assert failures == []
