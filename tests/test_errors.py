"""Error pages: a clear message for every HTTP error, never a traceback."""

from __future__ import annotations

import pytest
from flask import abort

from config import ProductionConfig, TestingConfig
from referrals import create_app
from referrals.enums import Role
from referrals.errors import Conflict, InvalidInput, NotAllowed, NotFound

# What services raise when they refuse, and the page each one becomes.
REFUSALS = {
    "input": InvalidInput("Open places cannot be negative."),
    "role": NotAllowed("partner may not accept this referral"),
    "record": NotFound("referral 12"),
    "conflict": Conflict("version 3 != 4"),
}


@pytest.fixture
def error_app():
    """An app with routes that fail on purpose (a separate app: the URL map stays clean)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")

    @app.route("/boom/<int:code>")
    def boom(code: int):
        abort(code)

    @app.route("/crash")
    def crash():
        raise RuntimeError("secret internal detail")

    @app.route("/refused/<kind>")
    def refused(kind: str):
        raise REFUSALS[kind]

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize("code", [400, 403, 404, 405, 409, 413, 429, 500])
def test_each_error_has_a_page(error_app, code):
    response = error_app.test_client().get(f"/boom/{code}")
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert f"Error {code}" in body
    assert 'data-testid="error-message"' in body
    assert "Traceback" not in body


def test_unexpected_exception_gives_500_without_details(error_app):
    response = error_app.test_client().get("/crash")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internal detail" not in body
    assert "Nothing was saved" in body


def test_json_clients_get_a_json_error(error_app):
    response = error_app.test_client().get("/boom/404", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_wrong_method_is_405(app, login_as):
    client, _ = login_as(Role.CASEWORKER)
    assert client.put("/").status_code == 405


def test_too_large_request_is_413(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = app.test_client().post("/login", data={"email": "x" * 5000, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = TestingConfig.MAX_CONTENT_LENGTH
    assert response.status_code == 413


def test_csrf_failure_is_a_400_with_a_message(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user(Role.CASEWORKER)
    response = app.test_client().post("/login", data={"email": user.email, "password": "x"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a" * 40)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_to_start_without_an_audit_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    with pytest.raises(RuntimeError, match="AUDIT_HMAC_KEY"):
        create_app(ProductionConfig)


def test_production_refuses_to_start_without_proxy_and_rate_limit_settings(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(ProductionConfig)
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app(ProductionConfig)


@pytest.mark.parametrize(
    ("kind", "code", "shown"),
    [
        ("input", 400, "Open places cannot be negative."),
        ("role", 403, "Your role does not allow this page."),
        ("record", 404, "not shared with your organization"),
        ("conflict", 409, "Reload and try again."),
    ],
)
def test_service_refusals_become_their_pages(error_app, kind, code, shown):
    """A refusal from a service is a 4xx page, never a 500; internal detail is not shown."""
    response = error_app.test_client().get(f"/refused/{kind}")
    assert response.status_code == code
    body = response.get_data(as_text=True)
    assert shown in body
    for detail in ("may not accept", "referral 12", "version 3"):
        assert detail not in body
