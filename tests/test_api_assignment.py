"""PUT /api/v1/referrals/<id>/assignee: a partner system gives a referral to one of its own
side's staff, or to nobody, as the referral page's assignment does (issue #19 through #21)."""

from __future__ import annotations

import sqlalchemy as sa

from referrals.extensions import db
from referrals.lifecycle.models import Notification, Referral
from tests.api_support import bearer, make_side, send_referral


def _assignees(app, public_id):
    with app.app_context():
        row = db.session.execute(
            sa.select(Referral.sender_assignee_id, Referral.receiver_assignee_id).where(
                Referral.public_id == public_id
            )
        ).one()
    return tuple(row)


def test_each_side_assigns_its_own_staff_and_nobody_else(app, make_org, make_user, make_program):
    sender = make_side(app, make_org, make_user, make_program, "Sender")
    receiver = make_side(app, make_org, make_user, make_program, "Receiver")
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    url = f"/api/v1/referrals/{public_id}/assignee"

    answer = client.put(
        url,
        json={"assignee_id": receiver.supervisor_id},
        headers=bearer(receiver.partner_token),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"side": "receiver", "assignee_id": receiver.supervisor_id}
    answer = client.put(
        url, json={"assignee_id": sender.caseworker_id}, headers=bearer(sender.caseworker_token)
    )
    assert answer.get_json() == {"side": "sender", "assignee_id": sender.caseworker_id}
    assert _assignees(app, public_id) == (sender.caseworker_id, receiver.supervisor_id)
    with app.app_context():  # the new assignee hears of it, as from the page
        assert db.session.scalar(
            sa.select(sa.func.count()).where(Notification.recipient_id == sender.caseworker_id)
        )

    # Someone of the other side is refused with the page's words, and nothing changes.
    answer = client.put(
        url, json={"assignee_id": sender.caseworker_id}, headers=bearer(receiver.partner_token)
    )
    assert answer.status_code == 422
    assert "Choose someone from your organization" in answer.get_data(as_text=True)
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert _assignees(app, public_id) == (sender.caseworker_id, receiver.supervisor_id)

    # null gives it back to the organization.
    answer = client.put(url, json={"assignee_id": None}, headers=bearer(receiver.partner_token))
    assert answer.get_json() == {"side": "receiver", "assignee_id": None}
    assert _assignees(app, public_id) == (sender.caseworker_id, None)


def test_a_malformed_body_is_a_problem_not_an_error(app, make_org, make_user, make_program):
    sender = make_side(app, make_org, make_user, make_program, "Sender")
    receiver = make_side(app, make_org, make_user, make_program, "Receiver")
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    for body in ({}, {"assignee_id": "7"}, {"assignee_id": 2**70}, [1]):
        answer = client.put(
            f"/api/v1/referrals/{public_id}/assignee",
            json=body,
            headers=bearer(receiver.partner_token),
        )
        assert answer.status_code == 422, (body, answer.status_code)
    assert _assignees(app, public_id) == (None, None)
