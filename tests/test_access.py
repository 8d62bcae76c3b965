"""Every route except the sign-in page, the probes, /metrics and static files needs a login."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from config import TestingConfig
from referrals import create_app
from tests.token_routes import is_token_route

# The probes answer monitoring without a session and show no data; /metrics is off (404)
# unless METRICS_TOKEN is set, and then wants that bearer token (tests/test_metrics.py).
PUBLIC_ENDPOINTS = {
    "auth.login",
    "language.switch",  # the sign-in page's language switch
    "operations.healthz",
    "operations.readyz",
    "operations.prometheus",
    "static",
    "bootstrap.static",
    "favicon",
}


def _routes() -> list[tuple[str, str, str]]:
    """(endpoint, method, example URL) for every rule of the app."""
    app = create_app(TestingConfig)
    routes = []
    for rule in app.url_map.iter_rules():
        if is_token_route(rule):
            continue  # a token, not a session: tests/test_token_access_matrix.py
        # Fill each converter with a plausible value: the login check comes first anyway.
        url = re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, url))
    return routes


ROUTES = _routes()
PROTECTED = [route for route in ROUTES if route[0] not in PUBLIC_ENDPOINTS]


@pytest.mark.parametrize(
    ("endpoint", "method", "url"), PROTECTED, ids=[f"{m} {u}" for _, m, u in PROTECTED]
)
def test_signed_out_visitors_are_sent_to_login(app: Flask, endpoint: str, method: str, url: str):
    response = app.test_client().open(url, method=method)
    assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
    assert response.headers["Location"].startswith("/login")


def test_public_routes_answer_without_login(app: Flask):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    chosen = client.post("/language", data={"language": "es", "next": "/login"})
    assert (chosen.status_code, chosen.headers["Location"]) == (302, "/login")
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok"}
    # The suite's schema comes from create_all, not the migrations: not ready, and it says why.
    ready = client.get("/readyz")
    assert (ready.status_code, ready.get_json()["check"]) == (503, "migrations")
    assert client.get("/metrics").status_code == 404  # METRICS_TOKEN is not set
    paths = ("/static/app.css", "/bootstrap/static/css/bootstrap.min.css", "/favicon.ico")
    for path in paths:
        with client.get(path) as response:  # closes the file the static route opened
            assert response.status_code == 200, path


def test_every_public_endpoint_is_a_real_route():
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert endpoints >= PUBLIC_ENDPOINTS


def test_the_favicon_answers_everyone(app: Flask, login_as):
    """Browsers ask for /favicon.ico on their own: it is the static file for every visitor,
    one held on the new-password step included (not a redirect to that step)."""
    from referrals.enums import Role

    held, _user = login_as(Role.CASEWORKER, must_change_password=True)
    for client in (app.test_client(), held):
        with client.get("/favicon.ico") as response:
            assert response.status_code == 200
            assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
            assert response.data.startswith(b"\x00\x00\x01\x00")  # an ICO file
