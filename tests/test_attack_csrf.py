"""Cross-site request forgery: with CSRF protection on, every POST needs the session's token.

The endpoints come from ``app.url_map`` (every rule that accepts POST); each needs a line in
``POST_ROUTES`` (tests/test_attack_surface.py), so a new route is checked the day it is added.
For each one, signed in as a role allowed to use it:

- a POST without ``csrf_token`` (or with another session's, or a forged one) answers the app's
  400 page and changes nothing at all in the database, audit trail included;
- the same POST with the token read from a real GET of its form page reaches the view, which
  does its work (the database changes).

Session cookies are SameSite=Lax, so a cross-site link still carries them on a top-level GET:
the last test checks that no GET page changes anything but the audit trail and read receipts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from referrals.enums import Role
from referrals.extensions import db
from tests.test_attack_surface import (
    POST_ROUTES,
    World,
    build_world,
    changed_rows,
    csrf_token_of,
    get_pages,
    post_endpoints,
    signed_in,
    snapshot,
)

CSRF_MESSAGE = "The form expired or was sent from elsewhere"
ENDPOINTS = post_endpoints()
# Every line of the table (an endpoint, or one of its variants "endpoint:variant").
ROUTES = sorted(POST_ROUTES)


@pytest.fixture
def world(app: Flask, make_org: Any, make_user: Any, make_program: Any, make_intake: Any) -> World:
    """The records every POST route acts on."""
    return build_world(app, make_org, make_user, make_program, make_intake)


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[Flask]:
    """CSRF protection as in production (Flask-WTF reads the setting on every request)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_route_is_listed() -> None:
    listed = {key.split(":", 1)[0] for key in POST_ROUTES}
    missing = sorted(set(ENDPOINTS) - listed)
    assert missing == [], (
        f"add these POST routes to POST_ROUTES in tests/test_attack_surface.py: {missing}"
    )
    assert {"auth.login", "auth.logout"} <= set(ENDPOINTS)


def _assert_refused(response: Any, where: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400, f"{where}: {response.status_code}"
    assert CSRF_MESSAGE in body, f"{where}: not the CSRF error page"


@pytest.mark.parametrize("key", ROUTES)
def test_post_without_token_is_refused_and_changes_nothing(
    app: Flask, world: World, csrf_on: Flask, key: str
) -> None:
    """No token, a forged token or another session's token: 400 and not one row changed."""
    route = POST_ROUTES[key]
    # Signing in happens with protection off (the shared login helper sends no token).
    app.config["WTF_CSRF_ENABLED"] = False
    client = route.client(app, world)
    stranger = signed_in(app, world.unrelated_user)
    app.config["WTF_CSRF_ENABLED"] = True
    csrf_token_of(client, route.form_page(world))  # the session now holds a real token
    strangers_token = csrf_token_of(stranger, "/")
    url, data = route.url(world), route.data(app, world)
    before = snapshot(app)
    attempts = {
        "no token": data,
        "empty token": {**data, "csrf_token": ""},
        "forged token": {
            **data,
            "csrf_token": "IjAwMDAwMDAwMDAwMDAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb",
        },
        "another session's token": {**data, "csrf_token": strangers_token},
    }
    for name, attempt in attempts.items():
        _assert_refused(client.post(url, data=attempt), f"POST {url} with {name}")
    assert changed_rows(before, snapshot(app)) == {}


@pytest.mark.parametrize("key", ROUTES)
def test_post_with_token_from_the_form_reaches_the_view(
    app: Flask, world: World, csrf_on: Flask, key: str
) -> None:
    """The token from a real GET of the form page lets the POST through to do its work."""
    route = POST_ROUTES[key]
    app.config["WTF_CSRF_ENABLED"] = False
    client = route.client(app, world)
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_of(client, route.form_page(world))
    url, data = route.url(world), route.data(app, world)
    before = snapshot(app)
    response = client.post(url, data={**data, "csrf_token": token})
    where = f"POST {url} with the page's token"
    assert CSRF_MESSAGE not in response.get_data(as_text=True), where
    assert response.status_code < 400, f"{where}: {response.status_code}"
    if route.reached is not None:
        assert route.reached(response), f"{where}: {response.status_code} {response.headers}"
    else:
        assert changed_rows(before, snapshot(app)) != {}, f"{where}: the view changed nothing"


def test_token_also_accepted_in_the_header(app: Flask, world: World, csrf_on: Flask) -> None:
    """Flask-WTF's X-CSRFToken header works too (a cross-site form cannot set headers)."""
    route = POST_ROUTES["notifications.read_all"]
    app.config["WTF_CSRF_ENABLED"] = False
    client = signed_in(app, route.user(world))
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_of(client, route.form_page(world))
    response = client.post(route.url(world), headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_logout_without_token_keeps_the_session(app: Flask, world: World, csrf_on: Flask) -> None:
    """A forged sign-out is refused and the user stays signed in."""
    route = POST_ROUTES["auth.logout"]
    app.config["WTF_CSRF_ENABLED"] = False
    client = signed_in(app, route.user(world))
    app.config["WTF_CSRF_ENABLED"] = True
    _assert_refused(client.post("/logout"), "POST /logout without a token")
    assert client.get("/").status_code == 200
    token = csrf_token_of(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_login_without_token_signs_nobody_in(app: Flask, world: World, csrf_on: Flask) -> None:
    """Login CSRF (signing the victim into the attacker's account) is refused."""
    client = app.test_client()
    route = POST_ROUTES["auth.login"]
    before = snapshot(app)
    _assert_refused(client.post("/login", data=route.data(app, world)), "POST /login")
    assert changed_rows(before, snapshot(app)) == {}
    assert client.get("/").headers["Location"].startswith("/login")


# What opening a page may write: the audit trail (views are audited), the referral's read
# receipt, the session's bookkeeping, and the pending key the two-step page makes for enrolment.
GET_MAY_WRITE_TABLES = frozenset({"audit_events", "user_sessions", "login_throttles"})
GET_MAY_WRITE_COLUMNS = frozenset(
    {
        ("referrals", "first_viewed_at"),
        ("referrals", "updated_at"),  # the read receipt's UPDATE touches it
        ("users", "totp_secret"),
        ("users", "totp_last_step"),
    }
)


def test_get_pages_change_nothing_a_forged_link_could_use(app: Flask, world: World) -> None:
    """Every page of every role, opened as a cross-site link would: no state change."""
    clients = {role: signed_in(app, world.user(role)) for role in Role}
    before = snapshot(app, ignore=GET_MAY_WRITE_COLUMNS)
    statuses = {}
    for role, _endpoint, url in get_pages(world):
        statuses[(role, url)] = clients[role].get(url).status_code
    assert all(status < 500 for status in statuses.values()), statuses
    written = changed_rows(before, snapshot(app, ignore=GET_MAY_WRITE_COLUMNS))
    for table in GET_MAY_WRITE_TABLES:
        written.pop(table, None)
    events = written.pop("referral_events", [])
    kind = list(db.metadata.tables["referral_events"].columns.keys()).index("kind")
    assert [event[kind] for event in events] in ([], ["read_receipt"])
    assert written == {}
