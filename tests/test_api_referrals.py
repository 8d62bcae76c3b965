"""/api/v1/referrals: a token reads and acts as its side does on the pages, nothing more."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from referrals.audit.models import AuditEvent
from referrals.enums import ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.tokens.models import ApiToken
from tests.api_support import SITUATION_NOTE, bearer, make_side, send_referral
from tests.conftest import login

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")

PROBLEM = "application/problem+json"


def sides(app, make_org, make_user, make_program):
    sender = make_side(app, make_org, make_user, make_program, "Sender")
    receiver = make_side(app, make_org, make_user, make_program, "Receiver")
    return sender, receiver


def test_the_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["security"] == [{"bearerToken": []}]


def test_a_partner_token_reads_the_summary_and_nothing_more(app, make_org, make_user, make_program):
    sender, receiver = sides(app, make_org, make_user, make_program)
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    listing = client.get("/api/v1/referrals/received", headers=bearer(receiver.partner_token))
    assert listing.status_code == 200
    assert [item["id"] for item in listing.get_json()["items"]] == [public_id]
    response = client.get(f"/api/v1/referrals/{public_id}", headers=bearer(receiver.partner_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["client"]["languages"] == ["English", "Spanish"]
    assert body["note"] == "Please call back through the outreach line."
    assert body["actions"] == ["accept", "decline"]
    assert response.headers["ETag"] == f'"{body["version"]}"'
    text = response.get_data(as_text=True)
    assert SITUATION_NOTE not in text
    assert "debt_bondage" not in text
    assert "indicators" not in text
    with app.app_context():
        views = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "referral.viewed")
        ).all()
        assert [(view.object_id, view.actor_id) for view in views] == [
            (public_id, receiver.supervisor_id)
        ]


def test_another_organization_and_lapsed_consent_answer_404(app, make_org, make_user, make_program):
    sender, receiver = sides(app, make_org, make_user, make_program)
    stranger = make_side(app, make_org, make_user, make_program, "Stranger")
    public_id = send_referral(app, sender, receiver)
    uncovered = send_referral(app, sender, receiver, consent=False)
    draft = send_referral(app, sender, receiver, status=ReferralStatus.DRAFT)
    client = app.test_client()
    for token in (stranger.partner_token, stranger.supervisor_token):
        response = client.get(f"/api/v1/referrals/{public_id}", headers=bearer(token))
        assert response.status_code == 404
        assert response.content_type == PROBLEM
    for hidden in (uncovered, draft):
        url = f"/api/v1/referrals/{hidden}"
        assert client.get(url, headers=bearer(receiver.partner_token)).status_code == 404
    received = client.get("/api/v1/referrals/received", headers=bearer(receiver.partner_token))
    assert [item["id"] for item in received.get_json()["items"]] == [public_id]
    sent = client.get("/api/v1/referrals/sent", headers=bearer(sender.caseworker_token))
    assert {item["id"] for item in sent.get_json()["items"]} == {public_id, uncovered, draft}


def test_a_side_the_token_does_not_work_on_is_refused(app, make_org, make_user, make_program):
    sender, receiver = sides(app, make_org, make_user, make_program)
    client = app.test_client()
    assert (
        client.get("/api/v1/referrals/sent", headers=bearer(receiver.partner_token)).status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/referrals/received", headers=bearer(sender.caseworker_token)
        ).status_code
        == 403
    )


def test_acting_needs_the_current_etag_and_shows_on_the_timeline(
    app, make_org, make_user, make_program
):
    sender, receiver = sides(app, make_org, make_user, make_program)
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    url = f"/api/v1/referrals/{public_id}/actions"
    headers = bearer(receiver.partner_token)
    etag = client.get(f"/api/v1/referrals/{public_id}", headers=headers).headers["ETag"]

    missing = client.post(url, json={"action": "accept"}, headers=headers)
    assert (missing.status_code, missing.content_type) == (428, PROBLEM)
    stale = client.post(url, json={"action": "accept"}, headers={**headers, "If-Match": '"999"'})
    assert stale.status_code == 412
    star = client.post(url, json={"action": "accept"}, headers={**headers, "If-Match": "*"})
    assert star.status_code == 412

    accepted = client.post(url, json={"action": "accept"}, headers={**headers, "If-Match": etag})
    assert accepted.status_code == 200, accepted.get_json()
    body = accepted.get_json()
    assert body["status"] == "accepted"
    assert body["timeline"][-1]["through_api"] is True
    assert accepted.headers["ETag"] != etag

    again = client.post(
        url, json={"action": "accept"}, headers={**headers, "If-Match": accepted.headers["ETag"]}
    )
    assert again.status_code == 409
    reused = client.post(url, json={"action": "enroll"}, headers={**headers, "If-Match": etag})
    assert reused.status_code == 412

    with app.app_context():
        event = db.session.scalars(
            sa.select(ReferralEvent).where(ReferralEvent.to_status == ReferralStatus.ACCEPTED)
        ).one()
        token_id = db.session.scalar(
            sa.select(ApiToken.id).where(ApiToken.organization_id == receiver.org.id)
        )
        assert event.actor_id == receiver.supervisor_id
        assert event.api_token_id == token_id
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "referral.accept" in actions
    # The page shows the move like a click, naming the token.
    page_client = app.test_client()
    with app.app_context():
        from referrals.auth.models import User

        supervisor = db.session.get(User, receiver.supervisor_id)
        db.session.expunge(supervisor)
    assert login(page_client, supervisor).status_code == 302
    page = page_client.get(f"/referrals/{public_id}").get_data(as_text=True)
    assert 'data-testid="via-api"' in page


def test_refused_input_is_422_and_saves_nothing(app, make_org, make_user, make_program):
    sender, receiver = sides(app, make_org, make_user, make_program)
    public_id = send_referral(app, sender, receiver)
    client = app.test_client()
    headers = {**bearer(receiver.partner_token), "If-Match": '"1"'}
    url = f"/api/v1/referrals/{public_id}/actions"
    no_reason = client.post(url, json={"action": "decline"}, headers=headers)
    assert (no_reason.status_code, no_reason.content_type) == (422, PROBLEM)
    assert "reason" in no_reason.get_json()["detail"]
    identifier = client.post(
        url,
        json={"action": "decline", "reason": "other", "note": "Call her at 816-555-0199"},
        headers=headers,
    )
    assert identifier.status_code == 422
    unknown = client.post(url, json={"action": "teleport"}, headers=headers)
    assert unknown.status_code == 422
    assert "action" in unknown.get_json()["errors"]["json"]
    wrong_side = client.post(
        url, json={"action": "cancel", "reason": "client_declined"}, headers=headers
    )
    assert wrong_side.status_code == 403
    with app.app_context():
        referral = db.session.scalars(
            sa.select(Referral).where(Referral.public_id == public_id)
        ).one()
        assert referral.status == ReferralStatus.REQUESTED
        assert referral.version == 1


def test_keyset_pages_status_and_updated_since(app, make_org, make_user, make_program):
    sender, receiver = sides(app, make_org, make_user, make_program)
    ids = [send_referral(app, sender, receiver) for _ in range(3)]
    client = app.test_client()
    headers = bearer(receiver.partner_token)
    first = client.get("/api/v1/referrals/received?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    rest = client.get(
        f"/api/v1/referrals/received?limit=2&after={first['next_cursor']}", headers=headers
    ).get_json()
    assert rest["next_cursor"] is None
    mangled = client.get("/api/v1/referrals/received?after=yesterday", headers=headers)
    assert mangled.status_code == 422
    beyond = client.get("/api/v1/referrals/received?after=9999999999999999-1", headers=headers)
    assert beyond.get_json() == {"items": [], "next_cursor": None}
    assert sorted(item["id"] for item in first["items"] + rest["items"]) == sorted(ids)
    later = first["items"][-1]["updated_at"]
    since = client.get(
        "/api/v1/referrals/received", query_string={"updated_since": later}, headers=headers
    ).get_json()
    assert {item["id"] for item in since["items"]} <= set(ids)
    assert first["items"][-1]["id"] in {item["id"] for item in since["items"]}
    none = client.get("/api/v1/referrals/received?status=accepted", headers=headers).get_json()
    assert none["items"] == []
    bad = client.get("/api/v1/referrals/received?status=lost&limit=0", headers=headers)
    assert (bad.status_code, bad.content_type) == (422, PROBLEM)
    assert set(bad.get_json()["errors"]["query"]) == {"status", "limit"}


def test_a_filter_moment_out_of_range_is_refused_not_overflowed(
    app, make_org, make_user, make_program
):
    """Found by schemathesis: year 9999 west of UTC overflowed on its way to UTC (a 500)."""
    _sender, receiver = sides(app, make_org, make_user, make_program)
    client = app.test_client()
    for moment in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"):
        response = client.get(
            "/api/v1/referrals/received",
            query_string={"updated_since": moment},
            headers=bearer(receiver.partner_token),
        )
        assert response.status_code == 422, moment
        assert response.mimetype == "application/problem+json"
