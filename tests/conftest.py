"""Fixtures: the app on each test database, clients, a login helper and factories.

Every test that uses ``app`` runs on SQLite, and again on PostgreSQL when
``TEST_DATABASE_URL`` is set (``make test`` sets it when a server answers).
Tables are emptied after each test, so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from referrals import create_app
from referrals.auth.mfa import MFA_REQUIRED_ROLES
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.enums import AgeBand, Gender, ProgramStatus, Role, Urgency
from referrals.extensions import cache, db
from referrals.intake.models import Intake
from referrals.programs.models import Organization, Program

PASSWORD = "correct horse battery staple"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def database_url(backend: str, tmp_dir: Any) -> str:
    """Where a backend's test database lives (a file, so a live server thread shares it)."""
    if backend == "postgresql":
        url = TEST_DATABASE_URL
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_dir / 'test.sqlite'}"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def _session_app(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app and one schema per backend for the whole run."""
    url = database_url(backend, tmp_path_factory.mktemp(backend))
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_tables(app: Flask) -> None:
    """Delete every row, children first."""
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in tables)
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())


@pytest.fixture
def app(_session_app: Flask) -> Iterator[Flask]:
    """The app, with empty tables before and after the test."""
    _session_app.config["WTF_CSRF_ENABLED"] = False
    with _session_app.app_context():
        cache.clear()  # the demo banner's check (templating.demo_data_present)
    yield _session_app
    _session_app.config["WTF_CSRF_ENABLED"] = False
    empty_tables(_session_app)


@pytest.fixture
def rollups_agree(app: Flask) -> Iterator[None]:
    """After the test, ``flask rollups check`` finds the rollups equal to what the referrals
    give (modules that move referrals use it: ``pytestmark``)."""
    yield
    result = app.test_cli_runner().invoke(args=["rollups", "check"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with its own cookie jar."""
    return app.test_client()


_unique = itertools.count(1)


def _persist(app: Flask, obj: Any) -> Any:
    """Add, commit and hand back a detached copy whose columns can still be read."""
    with app.app_context():
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
    return obj


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organization]:
    """Factory: an organization (referring and receiving unless told otherwise)."""

    def make(**fields: Any) -> Organization:
        n = next(_unique)
        fields.setdefault("name", f"Test Organization {n}")
        fields.setdefault("slug", f"test-org-{n}")
        fields.setdefault("refers", True)
        fields.setdefault("receives", True)
        return _persist(app, Organization(**fields))

    return make


@pytest.fixture
def make_user(app: Flask, make_org: Callable[..., Organization]) -> Callable[..., User]:
    """Factory: a member of staff with the shared test password."""

    def make(role: Role = Role.CASEWORKER, org: Organization | None = None, **fields: Any) -> User:
        n = next(_unique)
        organization = org or make_org()
        fields.setdefault("email", f"{role.value}{n}@example.org")
        fields.setdefault("display_name", f"{role.label} {n}")
        password = fields.pop("password", PASSWORD)
        # Supervisors and admins must use two-step sign-in: give them an enrolled key
        # unless the test asks for one without (mfa=False).
        if fields.pop("mfa", role in MFA_REQUIRED_ROLES):
            fields.setdefault("totp_secret", pyotp.random_base32())
            fields.setdefault("mfa_enrolled_at", datetime.now(UTC))
        with app.app_context():
            fields["password_hash"] = hash_password(password)
        return _persist(app, User(role=role, organization_id=organization.id, **fields))

    return make


@pytest.fixture
def make_program(app: Flask, make_org: Callable[..., Organization]) -> Callable[..., Program]:
    """Factory: an active program with open places."""

    def make(org: Organization | None = None, **fields: Any) -> Program:
        n = next(_unique)
        organization = org or make_org()
        fields.setdefault("name", f"Test Program {n}")
        fields.setdefault("service_types", ["counseling"])
        fields.setdefault("capacity_available", 3)
        fields.setdefault("capacity_maximum", 10)
        fields.setdefault("status", ProgramStatus.ACTIVE)
        return _persist(app, Program(organization_id=organization.id, **fields))

    return make


@pytest.fixture
def make_intake(app: Flask, make_user: Callable[..., User]) -> Callable[..., Intake]:
    """Factory: an open intake of an adult, recorded by a caseworker of ``org``."""

    def make(by: User | None = None, **fields: Any) -> Intake:
        author = by or make_user(Role.CASEWORKER)
        fields.setdefault("age_band", AgeBand.AGE_18_24)
        fields.setdefault("gender", Gender.FEMALE)
        fields.setdefault("languages", ["English"])
        fields.setdefault("county", "Jackson County, MO")
        fields.setdefault("needs", ["counseling"])
        fields.setdefault("urgency", Urgency.ROUTINE)
        return _persist(
            app,
            Intake(organization_id=author.organization_id, created_by_id=author.id, **fields),
        )

    return make


def sibling_program(program_id: int) -> int:
    """A copy of a program under another name (call inside an app context).

    One intake holds one pending referral per program, so tests that need several open
    referrals of one intake send each to its own copy.
    """
    template = db.session.get(Program, program_id)
    assert template is not None
    copy = Program(
        organization_id=template.organization_id,
        name=f"{template.name} ({next(_unique)})",
        service_types=list(template.service_types),
        capacity_available=template.capacity_available,
        capacity_maximum=template.capacity_maximum,
        response_time_hours=template.response_time_hours,
    )
    db.session.add(copy)
    db.session.flush()
    return copy.id


def login(client: FlaskClient, user: User, password: str = PASSWORD, **query: str) -> Any:
    """Sign ``user`` in through the real forms (password, then any second step).

    Returns the last response. Each TOTP code is accepted once, and tests sign one user in
    many times a minute, so the helper forgets the last used step before answering; the
    replay guard itself is tested in tests/test_mfa.py.
    """
    url = "/login" + (f"?{urlencode(query)}" if query else "")
    response = client.post(url, data={"email": user.email, "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/verify"):
        code = fresh_totp_code(client.application, user.id)
        response = client.post("/login/verify", data={"code": code})
    return response


def fresh_totp_code(app: Flask, user_id: int) -> str:
    """A code the user's key gives now, with the replay guard reset (see ``login``)."""
    with app.app_context():
        stored = db.session.get(User, user_id)
        assert stored is not None
        assert stored.totp_secret, "user has no two-step key"
        stored.totp_last_step = None
        db.session.commit()
        return pyotp.TOTP(stored.totp_secret).now()


@pytest.fixture
def login_as(app: Flask, make_user: Callable[..., User]) -> Callable[..., tuple[FlaskClient, User]]:
    """A fresh client already signed in as a new user of ``role``."""

    def sign_in(
        role: Role, org: Organization | None = None, **fields: Any
    ) -> tuple[FlaskClient, User]:
        user = make_user(role, org=org, **fields)
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client, user

    return sign_in


def pytest_report_header() -> str:
    """Say at the top of the run which databases the suite runs on."""
    where = ", ".join(BACKENDS)
    return f"database backends: {where}" + (
        "" if TEST_DATABASE_URL else " (set TEST_DATABASE_URL to add PostgreSQL)"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Count passed tests per database backend, so CI output shows both ran."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("passed", []):
        backend = next((b for b in BACKENDS if f"[{b}" in report.nodeid), "no database")
        counts[backend] = counts.get(backend, 0) + 1
    summary = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
    terminalreporter.write_line(f"passed per database backend — {summary}")
