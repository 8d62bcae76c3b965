"""Security headers on every response, and pages a strict Content-Security-Policy can render.

Every page each role can open is fetched (from the access matrix's table, so a new page is
covered the day it is listed) and checked twice: its headers, and its HTML, which must hold no
inline style, no inline event handler, no <style> element and no <script> but a same-origin file
or one carrying the request's nonce, because the CSP blocks anything else in the browser.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from referrals.enums import NotificationKind, OutcomeCode, ReferralStatus, Role
from referrals.extensions import db
from referrals.intake.models import Consent
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.programs.models import Organization
from referrals.webhooks.models import WebhookEndpoint
from tests.conftest import sibling_program
from tests.test_access_matrix import EXPECTED, Targets

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TWO_MIB = 2 * 1024 * 1024
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def nonce_of(response: TestResponse) -> str:
    """The nonce the response's CSP allows scripts with."""
    found = re.search(r"'nonce-([A-Za-z0-9_+/=-]+)'", response.headers["Content-Security-Policy"])
    assert found, response.headers["Content-Security-Policy"]
    return found.group(1)


def assert_headers(response: TestResponse, *, static: bool = False, hsts: bool = False) -> None:
    """The headers every response carries; no-store unless it is a static file."""
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    csp = response.headers["Content-Security-Policy"]
    directives = {
        name: value for name, _, value in (part.strip().partition(" ") for part in csp.split(";"))
    }
    assert directives["default-src"] == "'none'", where
    assert directives["frame-ancestors"] == "'none'", where
    assert directives["style-src"] == "'self'", where
    assert directives["script-src"].startswith("'self' 'nonce-"), where
    assert directives["object-src"] == "'none'", where
    assert directives["base-uri"] == "'none'", where
    assert directives["form-action"] == "'self'", where
    assert "unsafe-inline" not in csp, where
    assert "unsafe-eval" not in csp, where
    assert "camera=()" in response.headers["Permissions-Policy"], where
    assert "geolocation=()" in response.headers["Permissions-Policy"], where
    if hsts:
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), where
    else:
        assert "Strict-Transport-Security" not in response.headers, where
    if static:
        assert "no-store" not in response.headers.get("Cache-Control", ""), where
    else:
        assert response.headers.get("Cache-Control") == "no-store", where
        assert response.headers.get("Pragma") == "no-cache", where


URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction"})


def is_javascript_url(value: str | None) -> bool:
    return (value or "").strip().lower().startswith("javascript:")


class InlineCodeFinder(HTMLParser):
    """Collects whatever in a page the Content-Security-Policy would block."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            elif name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            elif name in URL_ATTRIBUTES and is_javascript_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            src = values.get("src")
            if src:
                if urlsplit(src).netloc or src.startswith("//"):
                    self.problems.append(f"<script src={src!r}> from another origin")
            elif values.get("nonce") != self.nonce:
                self.problems.append("inline <script> without this request's nonce")


def assert_no_inline_code(response: TestResponse) -> None:
    """An HTML body holds nothing the CSP would block."""
    finder = InlineCodeFinder(nonce_of(response))
    finder.feed(response.get_data(as_text=True))
    finder.close()
    assert finder.problems == [], f"{response.request.path}: {finder.problems}"


def check(response: TestResponse, *, static: bool = False) -> None:
    """Headers, and for an HTML page its body too."""
    assert response.status_code < 500, response.request.path
    assert_headers(response, static=static)
    if response.mimetype == "text/html":
        assert_no_inline_code(response)


@pytest.fixture
def world(
    app: Flask, make_org, make_user, make_program, make_intake
) -> tuple[Organization, Targets]:
    """One organization that refers and receives, with referrals in several states (so the
    dashboard's chart has bars and lines), timeline notes, consent and a notification."""
    org = make_org(name="Own Organization")
    member = make_user(Role.PARTNER, org=org)
    program = make_program(org=org)
    caseworker = make_user(Role.CASEWORKER, org=org)
    intake = make_intake(by=caseworker, situation_note="Needs a quiet place.\nPrefers mornings.")
    with app.app_context():
        now = datetime.now(UTC)
        consent = Consent(
            intake_id=intake.id,
            given_at=now - timedelta(days=30),
            expires_at=now + timedelta(days=60),
            recorded_by_id=caseworker.id,
            organizations=[db.session.get(Organization, org.id)],
        )
        db.session.add(consent)
        referrals = []
        for weeks_ago, status in enumerate(
            (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED)
        ):
            sent_at = now - timedelta(weeks=weeks_ago, hours=1)
            referral = Referral(
                intake_id=intake.id,
                program_id=program.id if not referrals else sibling_program(program.id),
                receiving_organization_id=org.id,
                sending_organization_id=org.id,
                sent_by_id=caseworker.id,
                status=status,
                note="Line one.\nLine two.",
                sent_at=sent_at,
                response_due_at=sent_at + timedelta(hours=72),
            )
            if status != ReferralStatus.REQUESTED:
                referral.responded_at = referral.accepted_at = sent_at + timedelta(hours=5)
            if status == ReferralStatus.COMPLETED:
                referral.closed_at = sent_at + timedelta(days=3)
                referral.outcome = OutcomeCode.SERVICE_COMPLETED
            referrals.append(referral)
        db.session.add_all(referrals)
        db.session.flush()
        db.session.add(
            ReferralEvent(
                referral_id=referrals[0].id,
                actor_id=caseworker.id,
                from_status=ReferralStatus.DRAFT,
                to_status=ReferralStatus.REQUESTED,
                note="Sent with a note.\nOn two lines.",
            )
        )
        notification = Notification(
            recipient_id=member.id, referral_id=referrals[0].id, kind=NotificationKind.NEW_REFERRAL
        )
        webhook = WebhookEndpoint(
            organization_id=org.id,
            created_by_id=caseworker.id,
            url="https://example.org/hooks",
            secret="whsec_dGVzdA==",
        )
        db.session.add_all([notification, webhook])
        db.session.commit()
        targets = Targets(
            org.id,
            member.id,
            program.id,
            intake.client_code,
            consent.id,
            referrals[0].public_id,
            notification.id,
            webhook_id=webhook.id,
        )
    return org, targets


def get_pages_for(app: Flask, role: Role, targets: Targets) -> list[str]:
    """Every GET address the access matrix says ``role`` may open in its own organization."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.endpoint, set()).update(rule.methods or ())
    return [
        build_url(targets)
        for endpoint, (may, build_url) in EXPECTED.items()
        if "GET" in methods.get(endpoint, set()) and may(role, True) == "ok"
    ]


def test_anonymous_responses_carry_the_headers(client):
    for path in ("/login", "/healthz", "/no-such-page", "/", "/intakes/"):
        check(client.get(path))


def test_static_files_keep_normal_caching(client):
    for path in ("/static/app.css", "/bootstrap/static/css/bootstrap.min.css", "/favicon.ico"):
        with client.get(path) as response:  # a file response: close it
            assert response.status_code == 200, path
            check(response, static=True)
    # A missing static file is an error page like any other.
    check(client.get("/static/no-such-file.css"))


def test_json_errors_carry_the_headers(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    check(response)


def test_each_request_gets_its_own_nonce(client):
    first, second = client.get("/login"), client.get("/login")
    assert nonce_of(first) != nonce_of(second)
    assert len(nonce_of(first)) >= 16


@pytest.mark.parametrize("role", list(Role), ids=[role.value for role in Role])
def test_every_page_of_every_role(app, world, login_as, role):
    """Each page a role may open: the headers, and HTML the CSP lets render unchanged."""
    org, targets = world
    client, _ = login_as(role, org=org)
    pages = get_pages_for(app, role, targets)
    assert pages, role
    statuses = {}
    for url in pages:
        response = client.get(url)
        statuses[url] = response.status_code
        check(response)
    # Each page really rendered: a redirect away from it would leave its HTML unchecked.
    assert set(statuses.values()) == {200}, statuses
    for url in ("/no-such-page", f"/referrals/{'x' * 12}"):
        response = client.get(url)
        assert response.status_code == 404
        check(response)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.CASEWORKER, "/dashboard"),
        (Role.SUPERVISOR, "/dashboard"),
        (Role.SUPERVISOR, "/dashboard/coalition"),
    ],
)
def test_dashboards_with_their_chart(app, world, login_as, role, path):
    org, _ = world
    client, _ = login_as(role, org=org)
    response = client.get(path)
    assert response.status_code == 200
    check(response)
    if path == "/dashboard":
        assert 'data-testid="trend-chart"' in response.get_data(as_text=True)


def test_csv_export_keeps_its_own_headers(app, world, login_as):
    org, _ = world
    client, _ = login_as(Role.SUPERVISOR, org=org)
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    check(response)


def test_hsts_only_when_enabled(app, client, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "HSTS_ENABLED", True)
    assert_headers(client.get("/login"), hsts=True)
    with client.get("/static/app.css") as response:
        assert_headers(response, static=True, hsts=True)


def test_production_enables_hsts_and_testing_does_not():
    from config import Config, ProductionConfig, TestingConfig

    assert ProductionConfig.HSTS_ENABLED is True
    assert Config.HSTS_ENABLED is False
    assert TestingConfig.HSTS_ENABLED is False


def test_a_template_can_use_the_nonce(app):
    with app.test_request_context("/"):
        from flask import render_template_string

        from referrals.security_headers import csp_nonce

        html = render_template_string('<script nonce="{{ csp_nonce() }}"></script>')
        assert f'nonce="{csp_nonce()}"' in html


@pytest.mark.parametrize("csrf", [False, True], ids=["csrf-off", "csrf-on"])
def test_oversize_login_is_a_friendly_413(app, client, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    response = client.post("/login", data={"email": "x" * TWO_MIB, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    check(response)


def test_oversize_intake_is_a_friendly_413(app, login_as):
    client, _ = login_as(Role.CASEWORKER)
    response = client.post("/intakes/new", data={"situation_note": "x" * TWO_MIB})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert 'data-testid="error-message"' in body
    assert "too large" in body
    check(response)


def test_oversize_json_client_gets_json_413(app, login_as):
    client, _ = login_as(Role.CASEWORKER)
    response = client.post(
        "/intakes/new",
        data={"situation_note": "x" * TWO_MIB},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["status"] == 413
    check(response)


# Inline code in a template source, including branches no test above happens to render.
INLINE_IN_TAG = re.compile(r"<[a-zA-Z][^>]*\s(style|on[a-z]+)\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_code(template):
    source = template.read_text(encoding="utf-8")
    assert not INLINE_IN_TAG.search(source), INLINE_IN_TAG.search(source)
    assert not STYLE_ELEMENT.search(source)
    for tag in SCRIPT_TAG.findall(source):
        assert "src=" in tag or "csp_nonce()" in tag, tag
