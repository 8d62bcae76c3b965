"""/healthz says the process answers; /readyz says the app may take traffic: the database
answers, its schema is at the code's migration head and the e-mail outbox is moving.

/readyz runs here on databases built by the migrations (the suite's own schema comes from
``create_all`` and has no alembic revision), one new database per backend.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from referrals import create_app
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, Role
from referrals.extensions import db
from referrals.lifecycle.models import Notification
from referrals.operations import readiness
from referrals.programs.models import Organization
from tests.conftest import TEST_DATABASE_URL

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


def _admin(statement: str) -> None:
    """CREATE/DROP DATABASE on the test server, outside a transaction."""
    server = sa.make_url(TEST_DATABASE_URL).set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def migrated_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new database on this backend, named after the test database (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('readyz') / 'readyz.sqlite'}"
        return
    url = sa.make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    name = f"{url.database}_readyz_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def ready_app(migrated_url: str) -> Iterator[Flask]:
    """An app on a database the migrations built, up to their head."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=migrated_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox(ready_app: Flask) -> Iterator[int]:
    """An organization's id to file notifications under; its rows go after the test."""
    with ready_app.app_context():
        org = Organization(name="Readyz Org", slug=f"readyz-{uuid.uuid4().hex[:6]}")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
    yield org_id
    with ready_app.app_context():
        db.session.execute(sa.delete(Notification))
        db.session.execute(sa.delete(User))
        db.session.execute(sa.delete(Organization))
        db.session.commit()


def _waiting_notification(app: Flask, org_id: int, *, age: timedelta, active=True) -> int:
    with app.app_context():
        user = User(
            email=f"{uuid.uuid4().hex[:8]}@readyz.example.org",
            display_name="Readyz Partner",
            role=Role.PARTNER,
            organization_id=org_id,
            password_hash="x",
            active=active,
        )
        db.session.add(user)
        db.session.flush()
        notification = Notification(
            recipient_id=user.id, kind=NotificationKind.NEW_REFERRAL, created_at=utcnow() - age
        )
        db.session.add(notification)
        db.session.commit()
        return notification.id


def test_healthz_answers_as_before(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_ready_when_migrated_and_nothing_waits(ready_app: Flask, outbox):
    response = ready_app.test_client().get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})


def test_a_missing_migration_is_not_ready_and_says_which(ready_app: Flask):
    client = ready_app.test_client()
    with ready_app.app_context():
        [head] = readiness.code_heads()
        downgrade(directory=MIGRATIONS, revision="-1")
        [previous] = readiness.database_heads()
    try:
        response = client.get("/readyz")
    finally:
        with ready_app.app_context():
            upgrade(directory=MIGRATIONS)
    assert response.status_code == 503
    body = response.get_json()
    assert body["check"] == "migrations"
    assert f"at {previous}; this code needs {head}." in body["reason"]
    assert "flask db upgrade" in body["reason"]
    assert client.get("/readyz").status_code == 200  # upgraded again: ready


def test_a_database_never_migrated_is_not_ready(app: Flask):
    """The suite's own schema (create_all) has no revision at all."""
    body = app.test_client().get("/readyz").get_json()
    assert body["check"] == "migrations"
    assert "at no revision" in body["reason"]


def test_an_unreachable_database_is_not_ready(backend: str, tmp_path: Path):
    if backend == "postgresql":
        # A database that does not exist: the server refuses the connection.
        url = sa.make_url(TEST_DATABASE_URL).set(
            drivername="postgresql+psycopg", database=f"readyz_missing_{uuid.uuid4().hex[:8]}"
        )
        address = url.render_as_string(hide_password=False)
    else:
        address = f"sqlite:///{tmp_path / 'no-such-directory' / 'db.sqlite'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=address)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["check"] == "database"
    assert body["reason"].startswith("The database does not answer (")
    assert "readyz_missing" not in body["reason"]
    assert "sqlite" not in body["reason"].lower()
    with app.app_context():
        db.engine.dispose()


def test_an_e_mail_waiting_too_long_is_not_ready(ready_app: Flask, outbox, monkeypatch):
    monkeypatch.setitem(ready_app.config, "READYZ_OUTBOX_MAX_MINUTES", 30)
    client = ready_app.test_client()
    _waiting_notification(ready_app, outbox, age=timedelta(minutes=5))
    assert client.get("/readyz").status_code == 200  # waiting, but not for long
    stuck = _waiting_notification(ready_app, outbox, age=timedelta(minutes=95))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["check"] == "outbox"
    assert "waited 95 minutes (more than 30)" in body["reason"]

    # Switched off, or the e-mail sent: ready again.
    monkeypatch.setitem(ready_app.config, "READYZ_OUTBOX_MAX_MINUTES", 0)
    assert client.get("/readyz").status_code == 200
    monkeypatch.setitem(ready_app.config, "READYZ_OUTBOX_MAX_MINUTES", 30)
    with ready_app.app_context():
        db.session.get(Notification, stuck).emailed_at = utcnow()
        db.session.commit()
    assert client.get("/readyz").status_code == 200


def test_an_inactive_recipients_notification_does_not_hold_readiness(ready_app, outbox):
    """The sweep never e-mails a switched-off account: its notification is not stuck."""
    _waiting_notification(ready_app, outbox, age=timedelta(days=3), active=False)
    assert ready_app.test_client().get("/readyz").status_code == 200


def test_the_code_head_is_the_newest_script_read_once(ready_app: Flask, monkeypatch):
    newest = max(path.name[:4] for path in Path(MIGRATIONS, "versions").glob("[0-9]*.py"))
    with ready_app.app_context():
        assert readiness.code_heads() == {newest} == readiness.database_heads()
        monkeypatch.setattr(readiness.ScriptDirectory, "from_config", None)  # not asked again
        assert readiness.code_heads() == {newest}
