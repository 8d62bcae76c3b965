"""``make restore-drill``: prove a dump can be restored, whole and untampered.

1. The source: the database at DRILL_DATABASE_URL, read and never changed; or, by default,
   a new demo database made here (``<base>_drill_src``: ``flask seed-demo``, then one
   ``flask sweep``, so its audit chain has a few links).
2. Its audit trail's head (sequence and hash) is read, then ``pg_dump -Fc`` dumps it.
3. ``pg_restore`` restores the dump into a new database (``<base>_drill_copy``).
4. Every table's row count is compared, source against copy.
5. ``flask audit verify --expect-head SEQ:HASH`` runs against the copy: every link of the
   chain, and the head the source had.
Exit status 0 only when every step holds; any difference is named, and the copy is kept to
look at. ``<base>`` is the database name of DRILL_SERVER_URL (default: TEST_DATABASE_URL,
which ``make`` sets), on whose server the databases are made.

Against a real installation, run it with the app's settings in the environment (its
AUDIT_HMAC_KEY checks the chain) and DRILL_DATABASE_URL naming the database, or better, a
server restored from last night's dump (docs/DEPLOY.md, "Restore drill").
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    server = sa.make_url(
        os.environ.get("DRILL_SERVER_URL") or os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    )
    given = os.environ.get("DRILL_DATABASE_URL")
    if sa.make_url(given or server).get_backend_name() != "postgresql":
        _say("needs PostgreSQL (pg_dump, pg_restore): set TEST_DATABASE_URL, DRILL_SERVER_URL")
        _say("or DRILL_DATABASE_URL to a postgresql:// address")
        return 2
    source = sa.make_url(given) if given else server.set(database=f"{server.database}_drill_src")
    copy = source.set(database=f"{source.database if given else server.database}_drill_copy")
    env = _flask_env(seeded=not given)
    started = time.monotonic()
    if not given:
        _say(f"source: a new demo database {source.database}")
        _recreate(source)
        _flask(env, source, "db", "upgrade")
        _flask(env, source, "seed-demo")
        # A sweep adds a timeline, notifications and a few more links to the audit chain.
        _flask(env, source, "sweep")
    else:
        _say(f"source: {source.database} (read only)")
    head = _audit_head(source)
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as folder:
        dump = Path(folder, "drill.dump")
        _run(["pg_dump", "--format=custom", f"--file={dump}", "--no-password"], source)
        _say(f"pg_dump -Fc: {dump.stat().st_size:,} bytes")
        _recreate(copy)
        _run(["pg_restore", "--exit-on-error", "--no-owner", "--no-password"], copy, str(dump))
        _say(f"pg_restore: into {copy.database}")
    problems = _compare_counts(source, copy)
    problems += _verify_audit(env, copy, head)
    seconds = time.monotonic() - started
    if problems:
        for problem in problems:
            _say(f"DIFFERENCE: {problem}")
        _say(f"restore drill FAILED after {seconds:.1f} s; the copy {copy.database} is kept")
        return 1
    _drop(copy)
    if not given:
        _drop(source)
    _say(f"restore drill passed in {seconds:.1f} s")
    return 0


def _say(text: str) -> None:
    print(f"restore-drill: {text}", flush=True)


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The database as a libpq URL without the password, and the password as PGPASSWORD."""
    plain = url.set(drivername="postgresql", password=None)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain.render_as_string(hide_password=False), env


def _connect(url: sa.URL, **options: object) -> psycopg.Connection:
    conninfo, _ = _libpq(url)
    return psycopg.connect(conninfo, password=url.password, **options)  # type: ignore[arg-type]


def _recreate(url: sa.URL) -> None:
    with _connect(url.set(database="postgres"), autocommit=True) as admin:
        name = sql.Identifier(str(url.database))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _drop(url: sa.URL) -> None:
    with _connect(url.set(database="postgres"), autocommit=True) as admin:
        name = sql.Identifier(str(url.database))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def _run(command: list[str], url: sa.URL, *more: str) -> None:
    conninfo, env = _libpq(url)
    # A fixed program and arguments of this script's own, no shell.
    subprocess.run([*command, f"--dbname={conninfo}", *more], env=env, check=True)  # noqa: S603


def _flask_env(*, seeded: bool) -> dict[str, str]:
    """The drill's own keys for a demo source; the caller's settings for a real one."""
    env = dict(os.environ)
    if seeded:
        env.update(
            REFERRALS_CONFIG="development",
            SECRET_KEY=secrets.token_hex(32),
            AUDIT_HMAC_KEY=secrets.token_hex(32),
            AUDIT_HMAC_OLD_KEYS="",
        )
    return env


def _flask(env: dict[str, str], url: sa.URL, *arguments: str) -> str:
    database = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    done = subprocess.run(  # noqa: S603 - this Python's flask, with this script's arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
        cwd=ROOT,
        env=env | {"DATABASE_URL": database},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _audit_head(url: sa.URL) -> str | None:
    """SEQUENCE:HASH of the newest audit event, read before the dump (so the dump has it)."""
    with _connect(url) as connection:
        row = connection.execute(
            "SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
    return f"{row[0]}:{row[1]}" if row else None


def row_counts(url: sa.URL) -> dict[str, int]:
    """Every table of the public schema and its number of rows."""
    with _connect(url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        counts = {}
        for table in tables:
            count = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            counts[table] = int(connection.execute(count).fetchone()[0])  # type: ignore[index]
    return counts


def _compare_counts(source: sa.URL, copy: sa.URL) -> list[str]:
    expected, found = row_counts(source), row_counts(copy)
    problems = [
        f"{table}: {_rows(expected.get(table))} in the source, {_rows(found.get(table))} in "
        "the copy"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]
    if not problems:
        total = sum(found.values())
        _say(f"row counts: {len(found)} tables, {total:,} rows, all equal")
    return problems


def _rows(count: int | None) -> str:
    return "no such table" if count is None else f"{count:,} rows"


def _verify_audit(env: dict[str, str], copy: sa.URL, head: str | None) -> list[str]:
    pin = ["--expect-head", head] if head else []
    try:
        output = _flask(env, copy, "audit", "verify", *pin)
    except SystemExit as failure:
        return [f"flask audit verify on the copy: {failure}"]
    _say(f"flask audit verify {' '.join(pin)} on the copy: {output.splitlines()[0]}")
    return []


if __name__ == "__main__":
    sys.exit(main())
