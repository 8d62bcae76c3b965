"""/metrics: off unless METRICS_TOKEN is set, then only for that bearer token; request
latency per endpoint name (never a path), sign-in failures and lockouts, the outbox and
the sweep's totals. Under gunicorn, every worker's counts add up."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from bench.server import gunicorn
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, ReferralStatus, Role
from referrals.extensions import db, mail
from referrals.intake.models import Consent
from referrals.lifecycle.models import Notification, Referral
from referrals.lifecycle.sweep import sweep
from referrals.programs.models import Organization
from tests.conftest import PASSWORD
from tests.test_notifications import free_port, smtp_server

TOKEN = "m" * 40


@pytest.fixture
def metrics_on(app: Flask, monkeypatch) -> Flask:
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return app


def scrape(app: Flask) -> str:
    response = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return response.get_data(as_text=True)


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when the series does not exist yet)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_off_unless_configured(app: Flask):
    assert app.config["METRICS_TOKEN"] == ""
    assert app.test_client().get("/metrics").status_code == 404
    with_token = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert with_token.status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"]
)
def test_only_the_bearer_token_opens_it(metrics_on: Flask, authorization: str | None):
    headers = {"Authorization": authorization} if authorization else {}
    response = metrics_on.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "referrals_" not in response.get_data(as_text=True)


def test_request_latency_is_per_endpoint_name_never_per_path(metrics_on, login_as, make_intake):
    client, user = login_as(Role.CASEWORKER)
    code = make_intake(by=user).client_code
    before = scrape(metrics_on)
    for _ in range(3):
        assert client.get(f"/intakes/{code}").status_code == 200
    assert client.get("/intakes/KC-ZZZZ-ZZZZ").status_code == 404
    text = scrape(metrics_on)
    histogram = "referrals_request_duration_seconds_count"
    labels = {"endpoint": "intake.detail", "method": "GET"}
    assert value(text, histogram, **labels) - value(before, histogram, **labels) == 4
    assert value(text, "referrals_request_duration_seconds_bucket", le="+Inf", **labels) >= 4
    ok, missing = (
        value(text, "referrals_requests_total", status=status, **labels)
        - value(before, "referrals_requests_total", status=status, **labels)
        for status in ("200", "404")
    )
    assert (ok, missing) == (3, 1)
    assert code not in text
    assert "/intakes" not in text
    assert "KC-ZZZZ" not in text


def test_an_unknown_method_is_one_bounded_label(metrics_on: Flask):
    metrics_on.test_client().open("/healthz", method="BREW")
    assert value(scrape(metrics_on), "referrals_requests_total", method="other") >= 1
    assert 'method="BREW"' not in scrape(metrics_on)


def test_sign_in_failures_and_lockouts_are_counted(metrics_on: Flask, make_user):
    user = make_user(Role.CASEWORKER)
    threshold = metrics_on.config["LOGIN_LOCKOUT_THRESHOLD"]
    before = scrape(metrics_on)
    client = metrics_on.test_client()
    for _ in range(threshold):
        client.post("/login", data={"email": user.email, "password": "not the password"})
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429  # locked: even the right password waits
    text = scrape(metrics_on)

    def delta(name: str, **labels: str) -> float:
        return value(text, name, **labels) - value(before, name, **labels)

    assert delta("referrals_sign_in_failures_total", reason="wrong") == threshold
    assert delta("referrals_sign_in_failures_total", reason="locked") == 1
    assert delta("referrals_sign_in_lockouts_total") == 1


@pytest.fixture
def mail_server(app: Flask) -> Iterator[None]:
    """Flask-Mail pointed at a real SMTP server on loopback, then put back."""
    saved = dict(app.config)
    port = free_port()
    with smtp_server(port):
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SUPPRESS_SEND=False, MAIL_USE_TLS=False
        )
        mail.init_app(app)
        yield
    app.config.clear()
    app.config.update(saved)
    mail.init_app(app)


def test_outbox_and_sweep_totals_come_from_the_database(
    metrics_on, make_org, make_user, make_program, make_intake, mail_server
):
    sender, receiver = make_org(), make_org()
    caseworker = make_user(Role.CASEWORKER, org=sender)
    partner = make_user(Role.PARTNER, org=receiver)
    program = make_program(org=receiver, response_time_hours=24)
    intake = make_intake(by=caseworker)
    now = utcnow()
    with metrics_on.app_context():
        db.session.add(
            Consent(
                intake_id=intake.id,
                given_at=now - timedelta(days=3),
                expires_at=now + timedelta(days=30),
                recorded_by_id=caseworker.id,
                organizations=[db.session.get(Organization, receiver.id)],
            )
        )
        sent = now - timedelta(hours=30)  # six hours overdue: one reminder
        db.session.add(
            Referral(
                intake_id=intake.id,
                program_id=program.id,
                receiving_organization_id=receiver.id,
                sending_organization_id=sender.id,
                sent_by_id=caseworker.id,
                status=ReferralStatus.REQUESTED,
                sent_at=sent,
                response_due_at=sent + timedelta(hours=24),
            )
        )
        db.session.add(
            Notification(
                recipient_id=partner.id,
                kind=NotificationKind.NEW_REFERRAL,
                created_at=now - timedelta(minutes=10),
            )
        )
        db.session.commit()

    waiting = scrape(metrics_on)
    assert value(waiting, "referrals_database_up") == 1
    assert value(waiting, "referrals_outbox_depth") == 1
    assert value(waiting, "referrals_outbox_oldest_age_seconds") >= 600
    for step in ("reminders", "escalations", "consent_cancellations", "emails_sent"):
        assert value(waiting, "referrals_sweep_actions_total", step=step) == 0
    assert value(waiting, "referrals_sweep_runs_total") == 0
    assert value(waiting, "referrals_sweep_last_run_timestamp_seconds") == 0

    with metrics_on.app_context():
        report = sweep()
    assert report.reminders == 1
    assert report.emails_sent == 3
    swept = scrape(metrics_on)
    for step, count in report.counts().items():
        assert value(swept, "referrals_sweep_actions_total", step=step) == count
    assert value(swept, "referrals_sweep_runs_total") == 1
    assert value(swept, "referrals_sweep_last_run_timestamp_seconds") >= now.timestamp()
    assert value(swept, "referrals_outbox_depth") == 0
    assert value(swept, "referrals_outbox_oldest_age_seconds") == 0

    with metrics_on.app_context():
        report = sweep()  # nothing left to do: only the run is counted
    again = scrape(metrics_on)
    assert value(again, "referrals_sweep_actions_total", step="reminders") == 1
    assert value(again, "referrals_sweep_runs_total") == 2


def _worker_files(folder: str) -> list[str]:
    """The counter files of the workers: each writes one once its app is built."""
    return sorted(path.name for path in Path(folder).glob("counter_*.db"))


def _scrape_server(base: str) -> str:
    request = Request(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_workers_add_up_under_gunicorn(app: Flask):
    """Multiprocess mode: two gunicorn workers, whichever answers, one sum in every scrape."""
    healthz = {"endpoint": "operations.healthz", "method": "GET", "status": "200"}
    with tempfile.TemporaryDirectory() as metrics_dir:
        Path(metrics_dir, "counter_999999.db").write_bytes(b"stale")  # emptied at start
        with gunicorn(
            str(app.config["SQLALCHEMY_DATABASE_URI"]),
            app="wsgi:app",
            GUNICORN_WORKERS="2",
            PROMETHEUS_MULTIPROC_DIR=metrics_dir,
            METRICS_TOKEN=TOKEN,
        ) as server:
            # The second worker may still be starting when the first one answers.
            deadline = time.monotonic() + 60
            while len(_worker_files(metrics_dir)) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "counter_999999.db" not in _worker_files(metrics_dir)  # went at start
            assert len(_worker_files(metrics_dir)) == 2
            before = value(_scrape_server(server.base), "referrals_requests_total", **healthz)
            for _ in range(20):
                with urlopen(f"{server.base}/healthz", timeout=10) as response:
                    assert response.status == 200
            text = _scrape_server(server.base)
    assert value(text, "referrals_requests_total", **healthz) - before == 20
    assert value(text, "referrals_database_up") == 1


@pytest.mark.parametrize(("token", "refused"), [("short-token", True), ("", False), (TOKEN, False)])
def test_production_refuses_a_short_metrics_token(monkeypatch, token: str, refused: bool):
    from config import ProductionConfig

    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY"):
        monkeypatch.setenv(name, "k" * 64)
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    monkeypatch.setenv("METRICS_TOKEN", token)
    if not refused:
        ProductionConfig.check()
        return
    with pytest.raises(RuntimeError, match="METRICS_TOKEN: at least 32 random characters"):
        ProductionConfig.check()
