"""API tokens: made by a confirmed supervisor, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.enums import Role, TokenScope
from referrals.extensions import db
from referrals.tokens.models import ApiToken

TOKEN = re.compile(r"kcr_[A-Za-z0-9_-]{40,}")


def make_token(client, **fields) -> str:
    """Make a token through the page; returns the token shown once."""
    data = {"name": "Case system", "role": "partner", "scope": "act", "days": "90", **fields}
    response = client.post("/account/api-tokens", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = TOKEN.findall(response.get_data(as_text=True))
    assert len(found) == 1
    return found[0]


def test_a_supervisor_makes_a_token_shown_once_and_stored_hashed(app, login_as):
    client, supervisor = login_as(Role.SUPERVISOR)
    secret = make_token(client)
    with app.app_context():
        token = db.session.scalars(sa.select(ApiToken)).one()
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in (token.name, token.prefix, token.token_hash)
        assert secret.startswith(token.prefix)
        assert (token.role, token.scope) == (Role.PARTNER, TokenScope.ACT)
        assert token.organization_id == supervisor.organization_id
        assert 89 <= (token.expires_at - datetime.now(UTC)).days <= 90
        audit = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "api_token.created")
        ).one()
        assert audit.actor_id == supervisor.id
        assert secret not in str(audit.detail)
    listing = client.get("/account/api-tokens").get_data(as_text=True)
    assert secret not in listing
    assert "Case system" in listing
    assert token.prefix in listing
    assert "never" in listing  # not used yet


def test_bad_input_is_named_on_the_page_and_saves_nothing(app, login_as):
    client, _ = login_as(Role.SUPERVISOR)
    for data in (
        {"name": "", "role": "partner", "scope": "read", "days": "90"},
        {"name": "x", "role": "admin", "scope": "read", "days": "90"},
        {"name": "x", "role": "partner", "scope": "everything", "days": "90"},
        {"name": "x", "role": "partner", "scope": "read", "days": "9999"},
        {"name": "x" * 81, "role": "partner", "scope": "read", "days": "90"},
    ):
        response = client.post("/account/api-tokens", data=data)
        assert response.status_code == 400, data
        assert "invalid-feedback" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_only_the_sides_the_organization_works_on_are_offered(app, make_org, login_as):
    receives_only = make_org(refers=False, receives=True)
    client, _ = login_as(Role.SUPERVISOR, org=receives_only)
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert 'value="partner"' in page
    assert 'value="caseworker"' not in page
    response = client.post(
        "/account/api-tokens",
        data={"name": "x", "role": "caseworker", "scope": "read", "days": "30"},
    )
    assert response.status_code == 400


def test_a_supervisor_waiting_for_confirmation_cannot_make_a_token(app, login_as):
    client, supervisor = login_as(Role.SUPERVISOR)
    with app.app_context():
        db.session.execute(
            sa.text("UPDATE users SET awaiting_confirmation_since = :now WHERE id = :id"),
            {"now": datetime.now(UTC), "id": supervisor.id},
        )
        db.session.commit()
    page = client.get("/account/api-tokens")
    assert 'data-testid="cannot-make-tokens"' in page.get_data(as_text=True)
    response = client.post(
        "/account/api-tokens", data={"name": "x", "role": "partner", "scope": "read", "days": "30"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_other_roles_have_no_token_page(app, login_as):
    for role in (Role.CASEWORKER, Role.PARTNER, Role.ADMIN):
        client, _ = login_as(role)
        assert client.get("/account/api-tokens").status_code == 403
        assert client.post("/account/api-tokens", data={}).status_code == 403


def test_revoking_works_for_the_own_organization_only(app, make_org, login_as):
    own = make_org()
    client, _ = login_as(Role.SUPERVISOR, org=own)
    make_token(client)
    other, _ = login_as(Role.SUPERVISOR, org=make_org())
    with app.app_context():
        token_id = db.session.scalars(sa.select(ApiToken.id)).one()
    assert other.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    colleague, _ = login_as(Role.SUPERVISOR, org=own)
    response = colleague.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    with app.app_context():
        token = db.session.get(ApiToken, token_id)
        assert token.revoked_at is not None
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
        assert "api_token.revoked" in actions
    assert "Revoked" in client.get("/account/api-tokens").get_data(as_text=True)
