"""bench/cpu.py reads the server's CPU time from /proc: the children of one process (gunicorn's
workers) and the PostgreSQL backends of one database."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import sqlalchemy as sa

from bench import cpu

_BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
_BURN_THEN_WAIT = _BURN + "print('done', flush=True)\ninput()\n"


def _burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_the_cpu_time_of_a_child_is_counted_while_it_lives():
    before = cpu.read(os.getpid(), "no-such-database")
    child = subprocess.Popen(
        [sys.executable, "-c", _BURN_THEN_WAIT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "done\n"
        spent = cpu.spent(before, cpu.read(os.getpid(), "no-such-database"))
    finally:
        child.communicate("")
    assert spent.app >= 0.25  # the child's 0.3 s, at clock-tick resolution
    assert spent.database == 0


def test_a_process_that_is_no_child_of_the_server_is_not_counted():
    with subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE) as idle:
        before = cpu.read(idle.pid, "no-such-database")
        _burn(0.3)  # in this process, which is not idle's child
        after = cpu.read(idle.pid, "no-such-database")
        idle.communicate(b"\n")
    assert cpu.spent(before, after).total < 0.1


def test_the_backends_of_the_database_are_counted(app, backend: str):
    from referrals.extensions import db

    with subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE) as idle:
        with app.app_context(), db.engine.connect() as connection:
            name = str(connection.engine.url.database)
            before = cpu.read(idle.pid, name)
            burn = "SELECT count(*) FROM generate_series(1, 3000000)"
            if backend == "sqlite":  # in this process: no backend of its own
                burn = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                burn += "WHERE i < 1000000) SELECT count(*) FROM n"
            assert connection.execute(sa.text(burn)).scalar_one() > 0
            spent = cpu.spent(before, cpu.read(idle.pid, name))
        idle.communicate(b"\n")
    if backend == "postgresql":
        assert spent.database >= 0.05  # the count's time, in the backend of this connection
    else:
        assert spent.database == 0
    assert spent.app == 0  # nobody's child ran


def test_a_worker_that_ended_counts_for_its_time_since_the_first_reading():
    # Burns 0.3 s, waits, burns 0.3 s more and exits (as a worker max_requests restarted).
    child = subprocess.Popen(
        [sys.executable, "-c", _BURN_THEN_WAIT + _BURN],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "done\n"
    before = cpu.read(os.getpid(), "no-such-database")
    child.communicate("\n")  # the second burn, then reaped: its time is in our cutime
    spent = cpu.spent(before, cpu.read(os.getpid(), "no-such-database"))
    assert 0.25 <= spent.app < 0.5  # the second 0.3 s only
