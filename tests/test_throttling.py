"""Sign-in throttling: a per-address lockout in the database and a per-client rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from config import TestingConfig
from referrals import create_app
from referrals.audit.models import AuditEvent
from referrals.auth.models import LoginThrottle
from referrals.enums import Role
from referrals.extensions import db, limiter
from tests.conftest import PASSWORD

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def attempt(client, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password})


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.sequence)))


def test_after_the_threshold_even_the_right_password_waits_for_the_cooldown(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert attempt(client, user.email, "wrong password entirely").status_code == 200
        locked = attempt(client, user.email, "wrong password entirely")
        assert locked.status_code == 429
        assert "Try again in 15 minutes" in locked.get_data(as_text=True)

        refused = attempt(client, user.email, PASSWORD)
        assert refused.status_code == 429
        assert "/login" not in refused.headers.get("Location", "")
        clock.shift(timedelta(minutes=10))
        still = attempt(client, user.email, PASSWORD)
        assert "Try again in 5 minutes" in still.get_data(as_text=True)

        clock.shift(timedelta(minutes=5, seconds=1))
        assert attempt(client, user.email, PASSWORD).status_code == 302
    with app.app_context():  # success forgets the failures
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0
    recorded = actions(app)
    assert recorded.count("login.locked") == 1
    assert recorded[-1] == "login.success"


def test_an_unknown_address_locks_exactly_like_a_real_one(app, make_user):
    """Nobody learns which addresses have accounts from the lockout."""
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    pages = {}
    for email in (user.email, "nobody-here@example.org"):
        for _ in range(5):
            response = attempt(client, email, "wrong password entirely")
        pages[email] = (response.status_code, response.get_data(as_text=True))
    (status_a, page_a), (status_b, page_b) = pages.values()
    assert status_a == status_b == 429
    assert page_a.replace(user.email, "X") == page_b.replace("nobody-here@example.org", "X")


def test_failures_spread_beyond_the_window_do_not_lock(app, make_user):
    user = make_user(Role.CASEWORKER)
    client = app.test_client()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(12):
            assert attempt(client, user.email, "wrong password entirely").status_code == 200
            clock.shift(timedelta(minutes=4))  # 4 failures per 15-minute window at most
        assert attempt(client, user.email, PASSWORD).status_code == 302


def test_the_lockout_is_counted_in_the_database_not_in_a_worker(app, make_user):
    """Two clients (as if two gunicorn workers) share one count."""
    user = make_user(Role.CASEWORKER)
    first, second = app.test_client(), app.test_client()
    for client in (first, second, first, second):
        attempt(client, user.email, "wrong password entirely")
    assert attempt(second, user.email, "wrong password entirely").status_code == 429
    with app.app_context():
        row = db.session.scalar(sa.select(LoginThrottle))
        assert row.failures == 5
        assert user.email not in row.email_digest  # a keyed hash, not the address


def test_admin_password_reset_lifts_the_lockout(app, make_user, login_as):
    user = make_user(Role.PARTNER)
    client = app.test_client()
    for _ in range(5):
        attempt(client, user.email, "wrong password entirely")
    admin, _ = login_as(Role.ADMIN)
    admin.post(f"/admin/users/{user.id}/reset-password")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_second_step_failures_count_towards_the_lockout(app, make_user):
    user = make_user(Role.SUPERVISOR)
    client = app.test_client()
    response = attempt(client, user.email, PASSWORD)  # the right password counts as an attempt
    assert response.headers["Location"].endswith("/login/verify")
    for _ in range(3):
        wrong = client.post("/login/verify", data={"code": "000000"})
        assert "not right" in wrong.get_data(as_text=True)
    locked = client.post("/login/verify", data={"code": "000000"})
    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.get_data(as_text=True)
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_the_right_password_does_not_reset_the_count_for_code_guessing(app, make_user):
    """Someone who has the password cannot guess codes forever by signing in again."""
    user = make_user(Role.SUPERVISOR)
    client = app.test_client()
    codes_tried = 0
    for _ in range(10):
        response = attempt(client, user.email, PASSWORD)
        if response.status_code == 429:
            break
        if client.post("/login/verify", data={"code": "000000"}).status_code == 429:
            break
        codes_tried += 1
    assert codes_tried <= 2
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_parallel_attempts_cannot_all_slip_under_the_threshold(app, make_user):
    """Each attempt is counted before it is checked, so at most 5 of 12 are verified."""
    from concurrent.futures import ThreadPoolExecutor

    user = make_user(Role.CASEWORKER)

    def one(_n: int) -> int:
        return attempt(app.test_client(), user.email, "wrong password entirely").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(one, range(12)))
    verified = statuses.count(200)  # a 200 is a checked, wrong password
    assert verified <= 4
    assert statuses.count(429) >= 8
    assert attempt(app.test_client(), user.email, PASSWORD).status_code == 429


def test_failed_sign_ins_are_filed_under_the_accounts_organization(app, make_user, login_as):
    user = make_user(Role.CASEWORKER)
    attempt(app.test_client(), user.email, "wrong password entirely")
    supervisor, _ = login_as(Role.SUPERVISOR, org=_org(app, user.organization_id))
    page = supervisor.get("/audit?action=login").get_data(as_text=True)
    assert "login.failure" in page


def _org(app, org_id: int):
    from referrals.programs.models import Organization

    with app.app_context():
        org = db.session.get(Organization, org_id)
        db.session.expunge(org)
        return org


@pytest.fixture
def limited_app(backend, app, monkeypatch):
    """The app with the per-address rate limiter on (it is off for the rest of the suite).

    Flask-Limiter keeps ``enabled`` on its one module-level instance, which a second app's
    init_app overwrites: monkeypatch puts the suite's value back afterwards.
    """
    monkeypatch.setattr(limiter, "enabled", limiter.enabled)
    limited = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    yield limited
    with limited.app_context():
        db.engine.dispose()


def test_rate_limit_per_address_answers_429_with_retry_after(limited_app, make_user):
    user = make_user(Role.CASEWORKER)
    client = limited_app.test_client()
    for _ in range(3):
        assert attempt(client, f"x{_}@example.org", "wrong password entirely").status_code == 200
    response = attempt(client, "other@example.org", "wrong password entirely")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Try again in" in response.get_data(as_text=True)
    # Another client address is not affected.
    other = limited_app.test_client()
    ok = other.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert ok.status_code == 302
