"""deploy/restore_drill.py (``make restore-drill``, which CI runs) names every difference
between a source and its restored copy, and refuses to run without PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from deploy import restore_drill
from tests.conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


def _server() -> sa.URL:
    return sa.make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")


def _admin(statement: str) -> None:
    server = _server().set(drivername="postgresql", database="postgres")
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def two_databases(backend: str) -> Iterator[tuple[sa.URL, sa.URL] | None]:
    """Two new PostgreSQL databases, each with one table (None on SQLite)."""
    if backend != "postgresql":
        yield None
        return
    suffix = uuid.uuid4().hex[:8]
    urls = [_server().set(database=f"{_server().database}_drill_{n}_{suffix}") for n in "ab"]
    for url in urls:
        _admin(f'CREATE DATABASE "{url.database}"')
    try:
        yield urls[0], urls[1]
    finally:
        for url in urls:
            _admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def _sql(url: sa.URL, *statements: str) -> None:
    with restore_drill._connect(url) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def test_every_difference_in_row_counts_is_named(two_databases):
    if two_databases is None:  # the drill's refusal on SQLite: the test below
        return
    source, copy = two_databases
    for url in (source, copy):
        _sql(url, "CREATE TABLE referrals (id int)", "CREATE TABLE notes (id int)")
    _sql(source, "INSERT INTO referrals VALUES (1), (2), (3)", "INSERT INTO notes VALUES (1)")
    _sql(copy, "INSERT INTO referrals VALUES (1), (2)", "INSERT INTO notes VALUES (1)")
    assert restore_drill._compare_counts(source, copy) == [
        "referrals: 3 rows in the source, 2 rows in the copy"
    ]
    _sql(copy, "INSERT INTO referrals VALUES (3)", "CREATE TABLE extra (id int)")
    assert restore_drill._compare_counts(source, copy) == [
        "extra: no such table in the source, 0 rows in the copy"
    ]
    _sql(copy, "DROP TABLE extra")
    assert restore_drill._compare_counts(source, copy) == []


def test_the_drill_refuses_to_run_without_postgresql(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TEST_DATABASE_URL", "DRILL_SERVER_URL", "DRILL_DATABASE_URL"}
    }
    env["DRILL_SERVER_URL"] = f"sqlite:///{tmp_path / 'x.sqlite'}"
    done = subprocess.run(
        [sys.executable, "deploy/restore_drill.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "needs PostgreSQL (pg_dump, pg_restore)" in done.stdout


def test_a_copy_without_the_sources_audit_head_fails_the_drill(app, backend: str):
    """The copy's chain must reach the head the source had before the dump."""
    if backend != "postgresql":  # the drill runs on PostgreSQL only (see above)
        return
    copy = sa.make_url(str(app.config["SQLALCHEMY_DATABASE_URI"]))
    env = restore_drill._flask_env(seeded=True)
    problems = restore_drill._verify_audit(env, copy, "7:" + "ab" * 32)
    assert len(problems) == 1
    assert problems[0].startswith("flask audit verify on the copy: flask audit verify --expect")
    assert "audit trail BROKEN" in problems[0]
    assert "an earlier run saw sequence 7: events at the end were deleted" in problems[0]
