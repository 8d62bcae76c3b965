"""Signing in and out, one-time passwords, password changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.auth.models import User
from referrals.enums import Role
from referrals.extensions import db
from tests.conftest import PASSWORD, login

SAME_MESSAGE = "Incorrect e-mail or password, or the account is not active."


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="email"' in response.data
    assert b'name="password"' in response.data


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_reaches_its_home(app, make_user, role):
    user = make_user(role)
    client = app.test_client()
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    expected = {
        Role.CASEWORKER: "Caseworker home",
        Role.PARTNER: "Partner home",
        Role.SUPERVISOR: "Supervisor home",
        Role.ADMIN: "Administrator home",
    }[role]
    assert expected in home.get_data(as_text=True)


def test_wrong_password_unknown_email_and_inactive_account_get_the_same_message(
    app, make_user, make_org
):
    active = make_user(Role.CASEWORKER)
    inactive = make_user(Role.CASEWORKER, active=False)
    closed_org = make_org(active=False)
    in_closed_org = make_user(Role.CASEWORKER, org=closed_org)
    attempts = {
        "wrong password": {"email": active.email, "password": "not the right password at all"},
        "unknown e-mail": {"email": "nobody@example.org", "password": PASSWORD},
        "inactive account": {"email": inactive.email, "password": PASSWORD},
        "inactive organization": {"email": in_closed_org.email, "password": PASSWORD},
    }
    bodies = {}
    for label, data in attempts.items():
        client = app.test_client()
        response = client.post("/login", data=data)
        assert response.status_code == 200, label
        body = response.get_data(as_text=True)
        assert SAME_MESSAGE in body, label
        # Still signed out: the home page sends us back to the login form.
        assert client.get("/").status_code == 302, label
        bodies[label] = body.replace(data["email"], "EMAIL")
    assert len(set(bodies.values())) == 1, "the pages must not differ by cause"


def test_failed_and_successful_logins_are_audited(app, make_user):
    user = make_user(Role.PARTNER)
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "wrong password entirely"})
    login(client, user)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.sequence))
        assert list(actions) == ["login.failure", "login.success"]


def test_email_is_matched_without_regard_to_case(app, make_user):
    make_user(Role.CASEWORKER, email="Mixed.Case@Example.org")
    client = app.test_client()
    response = client.post("/login", data={"email": "mixed.case@example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_post_only(app, login_as):
    client, _ = login_as(Role.CASEWORKER)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def test_session_cookie_copied_before_logout_is_useless_after(app, login_as):
    client, _ = login_as(Role.SUPERVISOR)
    stolen = client.get_cookie("session")
    assert stolen is not None
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_deactivated_user_is_signed_out(app, login_as):
    client, user = login_as(Role.CASEWORKER)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert client.get("/").status_code == 302


def test_off_site_next_is_ignored(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(
            f"/login?next={target}", data={"email": user.email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/", target
        client.post("/logout")


def test_same_site_next_is_followed(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    response = client.post(
        "/login?next=/programs/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/programs/"


def test_one_time_password_must_be_changed_first(app, make_user):
    user = make_user(Role.PARTNER, must_change_password=True)
    client = app.test_client()
    response = login(client, user)
    assert response.headers["Location"] == "/account/password"
    # Every other page sends the user back until the password is changed.
    assert client.get("/programs/").headers["Location"] == "/account/password"
    new = "a brand new passphrase for work"
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert client.get("/programs/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user.id).must_change_password is False


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("too short", "at least 15 characters"),
        ("x" * 129, "at most 128 characters"),
    ],
)
def test_password_policy_messages(app, login_as, new, message):
    client, _ = login_as(Role.CASEWORKER)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_password_equal_to_email_is_refused(app, login_as):
    client, user = login_as(Role.CASEWORKER, email="long.address.for.test@example.org")
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": user.email, "confirm": user.email},
    )
    assert "must not be your e-mail address" in response.get_data(as_text=True)


def test_password_change_needs_the_current_password(app, login_as):
    client, user = login_as(Role.CASEWORKER)
    new = "another long passphrase here"
    response = client.post(
        "/account/password",
        data={"current_password": "not my password at all", "new_password": new, "confirm": new},
    )
    assert "current password is not correct" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).session_version == 1


def test_password_change_ends_other_sessions(app, make_user):
    user = make_user(Role.CASEWORKER)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    new = "my new and rather long passphrase"
    laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
