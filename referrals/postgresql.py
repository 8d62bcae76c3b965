"""The app's PostgreSQL connections: server settings, and which statements stay prepared.

A prepared statement is parsed once per connection, and after five runs PostgreSQL may
give it one generic plan for all values (its default ``plan_cache_mode``, auto): later runs
only bind their values. That pays for statements that every request sends and whose best
plan does not depend on the values, such as the session check of every signed-in page
(auth/sessions.py), which PostgreSQL took longer to plan than to run. It is wrong for a
statement whose plan does depend on them: as prepared statements the dashboard's
aggregates went to a generic plan after their fifth run and took 3 s instead of 0.5 s.

So psycopg never prepares a statement by itself (it would after five runs on a connection,
whatever the statement); a statement asks for it with ``prepared()``. Every other
statement is parsed and planned for its values at each run. Note that a connection-wide
``force_generic_plan`` would not do: it forces the generic plan on unprepared statements
with parameters too (the dashboard: 0.6 -> 3 s, measured); the lists ask for it within
their own transaction (lifecycle/lists.py). Prepared statements outlive a transaction that
ends with COMMIT only: read_only_requests.py ends the requests that only read that way.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext

# The execution option that marks a statement to be prepared.
PREPARED = "referrals_prepared"
# psycopg prepares any statement after this many runs on a connection. A very large
# threshold, not None: None would also switch off the explicit ``prepare=True``.
_NEVER_BY_ITSELF = 2**31 - 1
# Server settings of every connection. JIT: PostgreSQL compiled a plan for ~1 s when the
# estimates looked big (dashboard aggregates over a million referrals) while the query
# itself ran in a fraction of that (2.56 s with JIT, 1.07 s without). TimeZone: timestamps
# come back in UTC, the zone db_types.UtcDateTime promises, so it has nothing to convert.
SERVER_OPTIONS = "-c jit=off -c TimeZone=UTC"

Statement = TypeVar("Statement", bound=sa.Executable)


def prepared(statement: Statement) -> Statement:
    """``statement``, kept prepared on each connection (PostgreSQL may then plan it once).

    Only for statements whose best plan is the same whatever their values (a lookup by a
    unique key, a page walked along an index). On SQLite the mark changes nothing.
    """
    return statement.execution_options(**{PREPARED: True})


def connect_args(existing: dict[str, Any]) -> dict[str, Any]:
    """psycopg's connection arguments for the app's PostgreSQL engine: ours, then the
    deployment's own (whose ``-c`` settings come later and so win)."""
    options = " ".join(filter(None, (SERVER_OPTIONS, str(existing.get("options") or ""))))
    return {"prepare_threshold": _NEVER_BY_ITSELF, **existing, "options": options}


def _execute(
    cursor: DBAPICursor, statement: str, parameters: Any, context: ExecutionContext
) -> bool:
    """Run a marked statement as a prepared one; True tells SQLAlchemy it has been run."""
    if not context.execution_options.get(PREPARED):
        return False
    cursor.execute(statement, parameters, prepare=True)  # type: ignore[call-arg]
    return True


# Generic plans for the rest of a transaction: statements planned the same way whatever their
# values (the lists) skip planning. ``set_config`` with ``true`` lasts until the transaction
# ends, as SET LOCAL does; as a SELECT it is no write to read_only_requests.py.
GENERIC_PLANS = sa.func.set_config("plan_cache_mode", "force_generic_plan", sa.true())
_GENERIC = "referrals.generic_plans"  # in Connection.info: this transaction has them
# The views whose every statement after the session check wants the generic plan.
_GENERIC_PLAN_ENDPOINTS: set[str] = set()


def generic_plans_for(*endpoints: str) -> None:
    """Declare views that run only list statements after the session check: that check
    then asks for generic plans in the same statement (auth/sessions.py), one round trip
    fewer than asking for them on their own."""
    _GENERIC_PLAN_ENDPOINTS.update(endpoints)


def wants_generic_plans(endpoint: str | None) -> bool:
    return endpoint in _GENERIC_PLAN_ENDPOINTS


def generic_plans_set(connection: sa.Connection) -> None:
    """Note that a statement on ``connection`` asked for GENERIC_PLANS in this transaction."""
    connection.info[_GENERIC] = True


def use_generic_plans(connection: sa.Connection) -> None:
    """Generic plans for the rest of this transaction, unless it has them already."""
    if not connection.info.get(_GENERIC):
        connection.execute(sa.select(GENERIC_PLANS))
        connection.info[_GENERIC] = True


def _setting_undone(connection: sa.Connection, *_savepoint: Any) -> None:
    # At commit, at rollback and at a rolled-back savepoint (which undoes a setting made
    # inside it): ask again rather than guess.
    connection.info.pop(_GENERIC, None)


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    # Back in the pool the transaction is over, whichever way it ended.
    record.info.pop(_GENERIC, None)


def register(engine: sa.Engine) -> None:
    """Run ``prepared()`` statements as prepared statements on this PostgreSQL engine, and
    keep track of the transactions that asked for generic plans."""
    sa.event.listen(engine, "do_execute", _execute)
    for end in ("commit", "rollback", "rollback_savepoint"):
        sa.event.listen(engine, end, _setting_undone)
    sa.event.listen(engine.pool, "checkin", _checked_in)
