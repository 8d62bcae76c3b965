"""The migrations alone build the schema, and it matches the models exactly."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from referrals import create_app
from referrals.extensions import db
from tests.conftest import database_url

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a brand-new, empty database on this backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    server = sa.make_url(database_url(backend, tmp_path))
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    _run_outside_transaction(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _run_outside_transaction(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_outside_transaction(server: sa.URL, statement: str) -> None:
    """CREATE/DROP DATABASE cannot run inside a transaction block."""
    conninfo = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _pending_differences(app: Flask) -> list[object]:
    """What autogenerate would still write: nothing, when migrations and models agree."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": False}
            )
            differences = list(compare_metadata(context, db.metadata))
        db.engine.dispose()  # the database is dropped after the test
    return differences


def test_upgrade_on_empty_database_matches_the_models(empty_database: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert _pending_differences(app) == []


def test_downgrade_to_base_and_up_again(empty_database: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    assert _pending_differences(app) == []


def test_pending_index_names_exactly_draft_and_the_open_statuses() -> None:
    from referrals.enums import OPEN_STATUSES, ReferralStatus
    from referrals.lifecycle.models import PENDING_SQL

    named = set(re.findall(r"'(\w+)'", PENDING_SQL))
    assert named == {status.value for status in {ReferralStatus.DRAFT, *OPEN_STATUSES}}
