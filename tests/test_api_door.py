"""The door of the token routes: a bearer token only, scoped, limited, every call audited;
errors are problem details, never a page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from config import TestingConfig
from referrals import create_app
from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import Role, TokenScope
from referrals.extensions import db, limiter
from referrals.tokens.models import ApiToken
from tests.api_support import bearer, make_side, make_token, send_referral
from tests.conftest import login

PROBLEM = "application/problem+json"


@pytest.fixture
def side(app, make_org, make_user, make_program):
    return make_side(app, make_org, make_user, make_program, "Own")


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


def test_only_a_bearer_token_in_the_header_opens_the_door(app, side):
    client = app.test_client()
    url = "/api/v1/programs/"
    assert client.get(url, headers=bearer(side.partner_token)).status_code == 200
    for headers in (
        {},
        {"Authorization": side.partner_token},
        {"Authorization": f"Basic {side.partner_token}"},
        {"Authorization": "Bearer "},
        bearer("kcr_" + "x" * 43),
    ):
        response = client.get(url, headers=headers)
        _problem(response, 401)
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    _problem(client.get(f"{url}?access_token={side.partner_token}"), 401)


def test_a_signed_in_browser_cookie_is_refused(app, side, make_user):
    user = make_user(Role.PARTNER, org=side.org)
    client = app.test_client()
    assert login(client, user).status_code == 302
    _problem(client.get("/api/v1/programs/"), 401)
    _problem(client.get("/api/v1/programs/", headers=bearer(side.partner_token)), 401)


def test_revoked_expired_and_unconfirmed_tokens_stop_working(app, side):
    client = app.test_client()
    url = "/api/v1/programs/"
    with app.app_context():
        for token in db.session.scalars(sa.select(ApiToken)):
            if token.role == Role.PARTNER:
                token.revoked_at = datetime.now(UTC)
            elif token.role == Role.CASEWORKER:
                token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    _problem(client.get(url, headers=bearer(side.partner_token)), 401)
    _problem(client.get(url, headers=bearer(side.caseworker_token)), 401)
    assert client.get(url, headers=bearer(side.supervisor_token)).status_code == 200
    # The two-person rule: the maker moved back to waiting takes the token down with them.
    with app.app_context():
        maker = db.session.get(User, side.supervisor_id)
        maker.awaiting_confirmation_since = datetime.now(UTC)
        db.session.commit()
    _problem(client.get(url, headers=bearer(side.supervisor_token)), 401)


def test_a_read_token_cannot_act(app, side):
    reader = make_token(app, side.org, side.supervisor_id, scope=TokenScope.READ)
    client = app.test_client()
    response = client.put(
        f"/api/v1/programs/{side.program_id}/capacity",
        json={"available": 1},
        headers=bearer(reader),
    )
    _problem(response, 403)


def test_every_call_is_audited_and_the_last_use_noted(app, side):
    client = app.test_client()
    headers = bearer(side.partner_token)
    client.get("/api/v1/programs/", headers=headers)
    client.get("/api/v1/programs/999999", headers=headers)
    with app.app_context():
        calls = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "api.call").order_by(AuditEvent.id)
        ).all()
        assert [(c.detail["route"], c.detail["status"]) for c in calls] == [
            ("/api/v1/programs/", 200),
            ("/api/v1/programs/<int:program_id>", 404),
        ]
        assert {c.actor_organization_id for c in calls} == {side.org.id}
        token = db.session.scalars(sa.select(ApiToken).where(ApiToken.role == Role.PARTNER)).one()
        assert token.last_used_at is not None


def test_errors_are_problem_details_never_pages(app, side):
    client = app.test_client()
    headers = bearer(side.partner_token)
    _problem(client.get("/api/v1/no-such-thing", headers=headers), 404)
    allowed = client.delete("/api/v1/programs/", headers=headers)
    _problem(allowed, 405)
    assert "GET" in allowed.headers["Allow"]
    too_big = client.put(
        f"/api/v1/programs/{side.program_id}/capacity",
        data=b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 10) + b"}",
        content_type="application/json",
        headers=headers,
    )
    _problem(too_big, 413)
    not_json = client.put(
        f"/api/v1/programs/{side.program_id}/capacity",
        data="available=3",
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )
    assert not_json.status_code in (415, 422)
    assert not_json.content_type == PROBLEM
    broken = client.put(
        f"/api/v1/programs/{side.program_id}/capacity",
        data="{not json",
        content_type="application/json",
        headers=headers,
    )
    assert broken.status_code in (400, 422)
    assert broken.content_type == PROBLEM


def test_programs_read_and_capacity_by_the_own_organization(
    app, side, make_org, make_user, make_program
):
    other = make_side(app, make_org, make_user, make_program, "Other")
    client = app.test_client()
    headers = bearer(side.partner_token)
    listing = client.get("/api/v1/programs/", headers=headers)
    assert {p["id"] for p in listing.get_json()} == {side.program_id, other.program_id}
    assert "Hidden Lane" not in listing.get_data(as_text=True)
    one = client.get(f"/api/v1/programs/{other.program_id}", headers=headers)
    assert one.status_code == 200
    assert "Hidden Lane" not in one.get_data(as_text=True)
    url = f"/api/v1/programs/{side.program_id}/capacity"
    updated = client.put(url, json={"available": 2, "maximum": 4}, headers=headers)
    assert updated.status_code == 200
    assert updated.get_json()["capacity"]["available"] == 2
    _problem(client.put(url, json={"available": 5}, headers=headers), 422)
    _problem(client.put(url, json={"available": -1}, headers=headers), 422)
    foreign = f"/api/v1/programs/{other.program_id}/capacity"
    _problem(client.put(foreign, json={"available": 1}, headers=headers), 403)
    sender_side = client.put(url, json={"available": 1}, headers=bearer(side.caseworker_token))
    _problem(sender_side, 403)


def test_notifications_of_the_tokens_maker(app, side, make_org, make_user, make_program):
    sender = make_side(app, make_org, make_user, make_program, "Sender")
    public_id = send_referral(app, sender, side)
    from referrals.enums import NotificationKind
    from referrals.lifecycle.models import Notification, Referral

    with app.app_context():
        referral_id = db.session.scalar(
            sa.select(Referral.id).where(Referral.public_id == public_id)
        )
        mine = Notification(
            recipient_id=side.supervisor_id,
            referral_id=referral_id,
            kind=NotificationKind.NEW_REFERRAL,
        )
        theirs = Notification(recipient_id=sender.supervisor_id, kind=NotificationKind.DECISION)
        db.session.add_all([mine, theirs])
        db.session.commit()
        mine_id, theirs_id = mine.id, theirs.id
    client = app.test_client()
    headers = bearer(side.partner_token)
    page = client.get("/api/v1/notifications/", headers=headers).get_json()
    assert [(n["id"], n["referral_id"]) for n in page["items"]] == [(mine_id, public_id)]
    read = client.post(f"/api/v1/notifications/{mine_id}/read", headers=headers)
    assert read.status_code == 200
    assert read.get_json()["read_at"]
    _problem(client.post(f"/api/v1/notifications/{theirs_id}/read", headers=headers), 404)


@pytest.fixture
def limited_app(backend, app, monkeypatch):
    """The app with the rate limiter on (off for the rest of the suite)."""
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        API_RATE_LIMIT="3 per minute",
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()


def test_each_token_has_its_own_rate_limit(limited_app, side):
    client = limited_app.test_client()
    for _ in range(3):
        assert (
            client.get("/api/v1/programs/", headers=bearer(side.partner_token)).status_code == 200
        )
    limited = client.get("/api/v1/programs/", headers=bearer(side.partner_token))
    _problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/programs/", headers=bearer(side.supervisor_token)).status_code == 200


def test_token_routes_take_no_csrf_token_as_they_take_no_cookie(app, side):
    """CSRF protection stays on for the pages; the token routes are exempt, having refused
    the cookie a forged cross-site request would carry."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        url = f"/api/v1/programs/{side.program_id}/capacity"
        response = client.put(url, json={"available": 1}, headers=bearer(side.partner_token))
        assert response.status_code == 200
        assert client.post("/account/api-tokens").status_code in (302, 400)  # still guarded
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
