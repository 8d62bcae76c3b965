"""CPU time the server spent: gunicorn's workers and the database's PostgreSQL backends.

Pages per second on a shared host move with whatever else the host runs; the CPU time that a
request costs the server moves much less. Read from ``/proc`` (Linux, see proc(5)): user plus
system time of gunicorn's workers (the master's children, and through the master's own
``cutime``/``cstime`` the workers that ``max_requests`` restarted and the master reaped), and
of the PostgreSQL client backends serving the benchmark's database (their command line names
it; autovacuum's workers are not the requests' work). The client's own time is left out: it
is the same kind of work for the baseline and the page.

A backend that ends during a period takes its part of that period with it (PostgreSQL's
postmaster reaps backends of every database): the pool keeps its connections, so that
happens only when a restarted worker closes its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# proc(5)'s fields of /proc/<pid>/stat, counted after the command name: state is 0.
_PPID, _UTIME, _STIME, _CUTIME, _CSTIME, _STARTTIME = 1, 11, 12, 13, 14, 19


def available() -> bool:
    return (PROC / "self" / "stat").exists()


class CpuTime(NamedTuple):
    app: float  # seconds, gunicorn's workers
    database: float  # seconds, the database's PostgreSQL backends

    @property
    def total(self) -> float:
        return self.app + self.database


@dataclass(frozen=True)
class Reading:
    """Clock ticks so far: the master's reaped workers, and each live process by
    (pid, start time), so that a pid used again is another process."""

    reaped_workers: int = 0
    workers: dict[tuple[str, str], int] = field(default_factory=dict)
    backends: dict[tuple[str, str], int] = field(default_factory=dict)


def read(master_pid: int, database: str) -> Reading:
    """Every process's ticks now. If the master reaped a worker while ``/proc`` was being
    listed (the master is usually listed before its workers), that worker's ticks would be
    in neither place: read again until the master's reaped ticks hold still."""
    for _ in range(5):
        reading = _read_once(master_pid, database)
        if _reaped_ticks(str(master_pid)) == reading.reaped_workers:
            break
    return reading


def _reaped_ticks(master: str) -> int | None:
    fields = _stat_fields(master)
    return None if fields is None else _reaped(fields)


def _reaped(fields: list[str]) -> int:
    """A process's ticks of its children that ended and that it waited for."""
    return int(fields[_CUTIME]) + int(fields[_CSTIME])


def _read_once(master_pid: int, database: str) -> Reading:
    master = str(master_pid)
    marker = f" {database} "
    workers: dict[tuple[str, str], int] = {}
    backends: dict[tuple[str, str], int] = {}
    reaped = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(entry.name)
        if fields is None:
            continue
        key = (entry.name, fields[_STARTTIME])
        ticks = int(fields[_UTIME]) + int(fields[_STIME])
        if entry.name == master:
            reaped = _reaped(fields)
        elif fields[_PPID] == master:
            workers[key] = ticks
        elif _is_client_backend(entry.name, marker):
            backends[key] = ticks
    return Reading(reaped, workers, backends)


def spent(before: Reading, after: Reading) -> CpuTime:
    """CPU time between two readings (a process started in between counts from zero)."""

    def grown(earlier: dict[tuple[str, str], int], later: dict[tuple[str, str], int]) -> int:
        return sum(ticks - earlier.get(key, 0) for key, ticks in later.items())

    # A worker that ended in between moved from ``workers`` to ``reaped_workers``: its
    # ticks before the first reading are taken off again.
    ended = sum(ticks for key, ticks in before.workers.items() if key not in after.workers)
    app = after.reaped_workers - before.reaped_workers - ended
    app += grown(before.workers, after.workers)
    database = grown(before.backends, after.backends)
    return CpuTime(app / _TICKS_PER_SECOND, database / _TICKS_PER_SECOND)


def _stat_fields(pid: str) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name, or None once it has gone."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its last ')'.
    return text[text.rindex(")") + 2 :].split()


def _is_client_backend(pid: str, marker: str) -> bool:
    try:
        if (PROC / pid / "comm").read_text().strip() != "postgres":
            return False
        command = (
            (PROC / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return False
    return marker in command and "autovacuum" not in command
