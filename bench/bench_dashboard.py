"""``GET /dashboard`` for a supervisor over a million referrals on PostgreSQL.

Needs a PostgreSQL server at ``BENCH_DATABASE_URL``; the database is created, migrated and
loaded with ``flask gen-load``'s generator on first use (kept for later runs). Without a
server the benchmark reports nothing.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestingConfig
from referrals import create_app
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.dashboard.generate import ORG_PREFIX, generate
from referrals.enums import Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization

URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dashboard"
)
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
REFERRALS = 1_000_000
WARMUPS, ROUNDS = 2, 11
EMAIL = "bench-supervisor@load-test.example.org"
PASSWORD = "bench-supervisor-password"  # an invented load-test account


def _ensure_database(url: sa.URL) -> bool:
    """Create the database when missing; False when no server answers."""
    server = url.set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(
            server.render_as_string(hide_password=False), autocommit=True, connect_timeout=3
        ) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{url.database}"')  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        print(f"   PostgreSQL not reachable ({error}); skipped")
        return False
    return True


def _load() -> None:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) or 0
    if count >= REFERRALS:
        print(f"   {count:,} referrals already loaded; not loading again", flush=True)
        return
    print(f"   loading {REFERRALS:,} referrals (found {count:,}) ...", flush=True)
    result = generate(REFERRALS, seed=1, years=3, force=True)
    print(
        f"   loaded {result.rows:,} rows in {result.seconds:.0f} s "
        f"({result.rows_per_second:,.0f} rows/s)",
        flush=True,
    )


def _supervisor() -> None:
    """A supervisor in the generated organization that both refers and receives."""
    if db.session.scalar(sa.select(User).where(User.email == EMAIL)):
        return
    hub = db.session.scalar(
        sa.select(Organization)
        .where(
            Organization.name.like(f"{ORG_PREFIX} %"),
            Organization.refers.is_(True),
            Organization.receives.is_(True),
        )
        .order_by(Organization.id)
    )
    assert hub is not None, "no generated organization that refers and receives"
    db.session.add(
        User(
            email=EMAIL,
            display_name="Bench supervisor",
            role=Role.SUPERVISOR,
            organization=hub,
            password_hash=hash_password(PASSWORD),
            is_demo=True,
        )
    )
    db.session.commit()


def run() -> dict[str, float]:
    url = sa.make_url(URL)
    if not _ensure_database(url):
        return {}
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=URL)
    with app.app_context():
        upgrade(directory=MIGRATIONS)  # builds an empty database; adds newer indexes
        _load()
        _supervisor()
        engine = db.engine
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code

    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    for _ in range(WARMUPS):
        assert client.get("/dashboard").status_code == 200
    sa.event.listen(engine, "before_cursor_execute", count)
    assert client.get("/dashboard").status_code == 200
    sa.event.remove(engine, "before_cursor_execute", count)
    figures = {
        "dashboard_1m_pg_ms": _median_ms(client),
        "dashboard_1m_pg_queries": float(statements),
    }

    return figures


def _median_ms(client: Any) -> float:
    for _ in range(WARMUPS):
        assert client.get("/dashboard").status_code == 200
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert client.get("/dashboard").status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)
