"""Server-side sessions: a copied cookie dies at logout, deactivation, password change and
both timeouts (15 minutes idle, 12 hours in all), measured on a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from referrals.auth.models import User, UserSession
from referrals.enums import Role
from referrals.extensions import db
from tests.conftest import PASSWORD, login

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def copy_cookies(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second client holding a copy of ``source``'s cookies (a stolen or kept cookie)."""
    thief = app.test_client()
    for cookie in source._cookies.values():  # the test client keeps its jar here
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path or "/")
    return thief


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/notifications")
    return response.status_code == 200


def open_sessions(app: Flask, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        )


def test_cookie_copied_before_logout_is_useless_after_it(app, login_as):
    client, user = login_as(Role.CASEWORKER)
    copy = copy_cookies(client, app)
    assert signed_in(copy)

    client.post("/logout")

    response = copy.get("/notifications")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert open_sessions(app, user.id) == 0


def test_logout_ends_only_this_browser(app, make_user):
    user = make_user(Role.PARTNER)
    office, phone = app.test_client(), app.test_client()
    login(office, user)
    login(phone, user)

    office.post("/logout")

    assert not signed_in(office)
    assert signed_in(phone)


def test_deactivation_ends_every_session(app, login_as, make_user):
    client, user = login_as(Role.PARTNER)
    copy = copy_cookies(client, app)
    admin_client, _admin = login_as(Role.ADMIN)

    response = admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert response.status_code in (302, 303)

    assert not signed_in(client)
    assert not signed_in(copy)
    assert open_sessions(app, user.id) == 0


def test_password_change_ends_other_sessions_and_keeps_this_one(app, login_as):
    client, user = login_as(Role.CASEWORKER)
    copy = copy_cookies(client, app)
    other_device = app.test_client()
    login(other_device, user)
    new_password = "a brand new passphrase for spring"

    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new_password, "confirm": new_password},
    )

    assert response.status_code == 302
    assert signed_in(client)  # continues in a fresh session
    assert not signed_in(copy)
    assert not signed_in(other_device)
    assert open_sessions(app, user.id) == 1


def test_sign_in_issues_a_new_session_identifier(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with client.session_transaction() as planted:
        planted["sid"] = "fixed-by-an-attacker"
    login(client, user)
    with client.session_transaction() as current:
        first = current["sid"]
    assert first != "fixed-by-an-attacker"

    client.post("/logout")
    login(client, user)
    with client.session_transaction() as current:
        assert current["sid"] != first


def test_session_cookie_is_httponly_lax_and_not_persistent(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # no remember-me: closing the browser ends it
    assert not any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_idle_timeout_is_fifteen_minutes(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        login(client, user)
        clock.shift(timedelta(minutes=14))
        assert signed_in(client)  # activity restarts the clock
        clock.shift(timedelta(minutes=14))
        assert signed_in(client)
        clock.shift(timedelta(minutes=15))

        response = client.get("/notifications")

        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "without activity" in page
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession).where(UserSession.user_id == user.id))
        assert row.end_reason == "idle"


def test_absolute_timeout_is_twelve_hours_however_busy(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        login(client, user)
        for _ in range(71):  # a request every 10 minutes for 11 h 50 min
            clock.shift(timedelta(minutes=10))
            assert signed_in(client)
        clock.shift(timedelta(minutes=10))  # 12 hours after sign-in

        response = client.get("/notifications")

        assert response.status_code == 302
        assert "12 hours" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_warning_extends_the_session_in_one_action(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        login(client, user)
        page = client.get("/notifications").get_data(as_text=True)
        assert 'data-session-seconds-left="900"' in page
        assert 'action="/session/extend"' in page
        clock.shift(timedelta(minutes=14))

        response = client.post(
            "/session/extend", data={"next": "/programs/"}, headers={"Accept": "text/html"}
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/programs/"
        clock.shift(timedelta(minutes=14))
        assert signed_in(client)  # 28 minutes after sign-in, 14 after extending

        answer = client.post("/session/extend", headers={"Accept": "application/json"})
        assert answer.get_json() == {"seconds_left": 900}


def test_extend_ignores_an_off_site_next(app, login_as):
    client, _user = login_as(Role.CASEWORKER)
    response = client.post("/session/extend", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_session_rows_hold_no_token(app, login_as):
    client, user = login_as(Role.CASEWORKER)
    with client.session_transaction() as current:
        token = current["sid"]
    with app.app_context():
        stored = db.session.scalars(sa.select(UserSession.token_hash)).all()
        assert token not in stored
        assert all(len(value) == 64 for value in stored)
        assert db.session.get(User, user.id) is not None


def test_deactivating_an_organization_ends_its_sessions_for_good(app, login_as, make_org):
    org = make_org()
    member, _user = login_as(Role.PARTNER, org=org)
    admin, _admin = login_as(Role.ADMIN)
    admin.post(f"/admin/organizations/{org.id}/deactivate")
    assert not signed_in(member)
    admin.post(f"/admin/organizations/{org.id}/activate")
    assert not signed_in(member)  # reactivation does not revive the old cookie


def test_the_timeout_scripts_check_never_extends_the_session(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        login(client, user)
        clock.shift(timedelta(minutes=10))
        assert client.get("/session/status").get_json() == {"seconds_left": 300}
        clock.shift(timedelta(minutes=4))
        assert client.get("/session/status").get_json() == {"seconds_left": 60}
        clock.shift(timedelta(minutes=1))

        expired = client.get("/session/status", headers={"Accept": "application/json"})

        assert expired.status_code == 401
        assert expired.get_json()["login"] == "/login"
        assert client.get("/notifications").status_code == 302
