"""The benchmark databases: PostgreSQL, migrated, loaded by ``bench.generate``'s generator.

``bench_100``, ``bench_10k`` and ``bench_dashboard`` (a million referrals) are created on
first use and kept: loading a million referrals takes minutes, so later runs reuse them
(``BENCH_REBUILD=1`` drops and rebuilds them, e.g. after a migration changed in place).
Every row in them is invented and demo-marked; the accounts the benchmarks sign in with get
one known password.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
import sqlalchemy as sa
from flask_migrate import upgrade

from bench.baseline import create_fortunes
from bench.generate import ORG_PREFIX, generate
from bench.two_step import enrol_two_step
from config import TestingConfig
from referrals import create_app
from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.enums import ReferralStatus, Role
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.programs.models import Organization
from referrals.rollups.tables import TABLES, status_rollups
from referrals.rollups.upkeep import rebuild

SERVER = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
MIGRATIONS = str(Path(__file__).resolve().parent.parent / "migrations")
PASSWORD = "bench-load-test-password"  # invented load-test accounts only
# Each 30-second TOTP code signs a supervisor in once: one account per supervisor session.
SUPERVISORS = 24
SIZES = {
    "bench_100": 100,
    "bench_10k": 10_000,
    "bench_dashboard": 1_000_000,
    "bench_10m": 10_000_000,  # make bench-scale only
}
# Years of history each database spreads its referrals over. Ten million is thirty years of
# the same coalition (issue #22: "a few years of one coalition"): as many referrals a day as
# the million's three years, so a page over the same dates has the same work before it, and
# what the comparison measures is whether the pages' cost grows with the history behind them.
YEARS = {"bench_10m": 30.0}


@dataclass(frozen=True)
class Account:
    email: str
    role: Role
    totp_secret: str | None = None


@dataclass(frozen=True)
class BenchDatabase:
    """A loaded database and who signs in to it."""

    name: str
    url: str
    referrals: int
    caseworkers: list[Account]
    partners: list[Account]
    supervisors: list[Account]
    # A requested referral the first caseworker sent (the referral page of the benchmarks):
    # the same status at every size, so the page runs the same statements.
    sample_referral: str


class NoServer(RuntimeError):
    """PostgreSQL does not answer at BENCH_POSTGRES."""


def url_for(name: str) -> str:
    return f"{SERVER}/{name}"


def server_version() -> str | None:
    """The PostgreSQL server's version, or None when it does not answer."""
    try:
        with _admin_connection() as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.OperationalError:
        return None
    return str(row[0]) if row else None


def _admin_connection() -> psycopg.Connection:
    url = sa.make_url(url_for("postgres")).set(drivername="postgresql")
    return psycopg.connect(
        url.render_as_string(hide_password=False), autocommit=True, connect_timeout=3
    )


def _create_database(name: str) -> None:
    try:
        connection = _admin_connection()
    except psycopg.OperationalError as error:
        raise NoServer(f"PostgreSQL does not answer at {SERVER}: {error}") from error
    with connection:
        if os.environ.get("BENCH_REBUILD") == "1":
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]


@cache
def prepare(name: str, size: int | None = None) -> BenchDatabase:
    """Create, migrate and load one benchmark database (idempotent; once per process).

    ``size``: referrals to load into a database not named in ``SIZES``."""
    size = size or SIZES[name]
    _create_database(name)
    url = url_for(name)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=MIGRATIONS)  # an empty database, or newer migrations on an old one
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) or 0
        if count < size:
            print(f"   {name}: loading {size - count:,} referrals ...", flush=True)
            result = generate(size - count, seed=1, years=YEARS.get(name, 3.0), force=True)
            print(f"   {name}: {result.rows:,} rows in {result.seconds:.0f} s", flush=True)
        _fill_rollups(loaded_now=count < size)
        create_fortunes(db.engine)
        loaded = db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) or 0
        database = _accounts(name, url, loaded)
        db.session.commit()
        db.engine.dispose()
    return database


def _fill_rollups(*, loaded_now: bool) -> None:
    """COPY bypasses the ORM, so the rollups are rebuilt after a load (or once, on a database
    loaded before they existed), then analysed for the planner."""
    empty = db.session.scalar(sa.select(sa.func.count()).select_from(status_rollups)) == 0
    if not (loaded_now or empty):
        return
    db.session.commit()
    started = time.perf_counter()
    with db.engine.begin() as connection:
        rebuild(connection)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in TABLES:
            connection.execute(sa.text(f"VACUUM (ANALYZE) {table.name}"))
    print(f"   rollups rebuilt in {time.perf_counter() - started:.0f} s", flush=True)


def _accounts(name: str, url: str, referrals: int) -> BenchDatabase:
    """The generator's staff get the bench password; supervisors are added at the hub."""
    password_hash = hash_password(PASSWORD)
    staff = list(
        db.session.scalars(
            sa.select(User)
            .join(User.organization)
            .where(Organization.name.like(f"{ORG_PREFIX} %"), User.role != Role.SUPERVISOR)
            .order_by(User.id)
        )
    )
    for user in staff:
        user.password_hash = password_hash
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
    supervisors = [_supervisor(n, hub, password_hash) for n in range(1, SUPERVISORS + 1)]
    db.session.flush()
    caseworkers = [u for u in staff if u.role == Role.CASEWORKER and not u.organization.receives]
    sample = db.session.scalar(
        sa.select(Referral.public_id)
        .where(Referral.sent_by_id == caseworkers[0].id, Referral.status != ReferralStatus.DRAFT)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(1)
    )
    assert sample is not None
    return BenchDatabase(
        name=name,
        url=url,
        referrals=referrals,
        caseworkers=[Account(u.email, u.role) for u in caseworkers],
        partners=[Account(u.email, u.role) for u in staff if u.role == Role.PARTNER],
        supervisors=[Account(u.email, Role.SUPERVISOR, enrol_two_step(u)) for u in supervisors],
        sample_referral=sample,
    )


def _supervisor(number: int, hub: Organization, password_hash: str) -> User:
    """A supervisor of the hub, which both refers and receives, with two-step sign-in."""
    email = f"bench-supervisor-{number:02d}@load-test.example.org"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name=f"Bench supervisor {number:02d}",
            role=Role.SUPERVISOR,
            organization=hub,
            password_hash=password_hash,
            is_demo=True,
        )
        db.session.add(user)
    user.password_hash = password_hash
    return user
