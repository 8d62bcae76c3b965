"""One ``flask sweep`` at a time: a second run while one works exits at once and says so.

The first run is held inside its first step (in a thread) while ``flask sweep`` runs. On
PostgreSQL the second finds the run lock taken and exits with status 75; on SQLite
(development only, no advisory locks) it goes ahead, as documented in sweep_runs.py, and
the idempotent steps keep that correct.
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.extensions import db
from referrals.lifecycle import sweep as sweep_module
from referrals.lifecycle.cli import EXIT_ANOTHER_SWEEP_RUNNING
from referrals.lifecycle.models import SweepTotal
from referrals.lifecycle.sweep_runs import RUN_LOCK_ID, exclusive_run

# The rollups equal what the referrals give after every test here.
pytestmark = pytest.mark.usefixtures("rollups_agree")


def _runs(app: Flask) -> int:
    with app.app_context():
        return int(
            db.session.scalar(sa.select(SweepTotal.total).where(SweepTotal.step == "runs")) or 0
        )


def test_a_second_sweep_exits_at_once_while_one_runs(app: Flask, backend: str, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    first_name, first_step = sweep_module.STEPS[0]
    outcome: dict[str, object] = {}

    def held_in_the_first_run(now: datetime) -> int:
        if threading.current_thread().name == "first-sweep":
            entered.set()
            assert release.wait(60), "the test never let the first sweep go on"
        return first_step(now)

    monkeypatch.setattr(
        sweep_module, "STEPS", ((first_name, held_in_the_first_run), *sweep_module.STEPS[1:])
    )

    def first_run() -> None:
        """What ``flask sweep`` does (the CLI runner below is not thread-safe)."""
        with app.app_context(), exclusive_run() as ours:
            outcome["ours"] = ours
            outcome["report"] = sweep_module.sweep()

    first = threading.Thread(target=first_run, name="first-sweep")
    first.start()
    try:
        assert entered.wait(60), "the first sweep never started"
        second = app.test_cli_runner().invoke(args=["sweep"])
    finally:
        release.set()
        first.join(60)
    assert outcome["ours"] is True
    assert isinstance(outcome["report"], sweep_module.SweepReport)  # the first one worked

    if backend == "postgresql":
        assert second.exit_code == EXIT_ANOTHER_SWEEP_RUNNING
        assert "Another sweep is running" in second.stderr
        assert second.stdout == ""  # it did nothing, so it reports no counts
        assert _runs(app) == 1
    else:
        # SQLite has no advisory lock: the second run went ahead (development only).
        assert second.exit_code == 0, second.stderr
        assert "overdue reminders: 0" in second.stdout
        assert _runs(app) == 2

    # The lock went with the first run: the next sweep works.
    after = app.test_cli_runner().invoke(args=["sweep"])
    assert after.exit_code == 0, after.stderr
    assert "e-mails sent: 0" in after.stdout


def test_the_run_lock_is_held_on_its_own_connection_and_released(app: Flask, backend: str):
    """PostgreSQL: while held, another session sees the lock; afterwards it is gone.
    SQLite: there is no lock, and every run is let through."""
    with app.app_context(), exclusive_run() as ours:
        held = _holders(app) if backend == "postgresql" else None
    assert ours is True
    if backend == "postgresql":
        assert (held, _holders(app)) == (1, 0)


def _holders(app: Flask) -> int:
    """Sessions holding the sweep's run lock, asked from a connection of the test's own."""
    with app.app_context(), db.engine.connect() as connection:
        return int(
            connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objid = :id AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                ),
                {"id": RUN_LOCK_ID},
            )
        )
