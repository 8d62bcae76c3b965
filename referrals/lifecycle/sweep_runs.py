"""One ``flask sweep`` at a time, and what the sweeps have done in total.

The steps of a sweep are idempotent and each takes a transaction lock (sweep.py), so two
overlapping sweeps were already correct; they still did the work twice over, and a slow
one overlapping the next timer run could pile up. ``exclusive_run`` holds a PostgreSQL
session-level advisory lock on a connection of its own for the whole run: a second sweep
finds it taken and stops at once. SQLite (development only) has no such lock: there every
run goes ahead, its writers queue on SQLite's database lock, and the idempotent steps leave
nothing done twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from referrals.extensions import db
from referrals.lifecycle.models import SweepTotal

# Any constant works; it must differ from the steps' transaction lock (sweep.py), which
# the run's own session takes while this one is held on another connection.
RUN_LOCK_ID = 0x53_57_52_4E  # "SWRN"
RUNS = "runs"


@contextmanager
def exclusive_run() -> Iterator[bool]:
    """True while this process holds the sweep lock; False when another sweep holds it."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        ours = bool(
            connection.scalar(sa.text("SELECT pg_try_advisory_lock(:id)"), {"id": RUN_LOCK_ID})
        )
        # The lock belongs to the connection, not the transaction: end the transaction so
        # the connection does not sit idle in one (holding back vacuum) for the whole run.
        connection.commit()
        try:
            yield ours
        finally:
            if ours:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": RUN_LOCK_ID})
                connection.commit()


def add_to_total(step: str, count: int, now: datetime) -> None:
    """Add ``count`` to a step's total, in the caller's transaction (one statement)."""
    insert = (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    statement = insert(SweepTotal).values(step=step, total=count, updated_at=now)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[SweepTotal.step],
            set_={"total": SweepTotal.total + count, "updated_at": now},
        )
    )


def totals() -> dict[str, tuple[int, datetime]]:
    """Each step's total and when it last grew (``runs``: when a sweep last finished)."""
    rows = db.session.execute(sa.select(SweepTotal.step, SweepTotal.total, SweepTotal.updated_at))
    return {row.step: (int(row.total), row.updated_at) for row in rows}
