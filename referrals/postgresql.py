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
statement is parsed and planned for its values at each run. No plan setting is sent:
PostgreSQL chooses (a connection-wide ``force_generic_plan`` would also force the generic
plan on unprepared statements with parameters: the dashboard took 3 s instead of 0.6);
the lists write their constants into their SQL so that its choice can see them
(lifecycle/lists.py). Prepared statements outlive a transaction that ends with COMMIT
only: views that only read say so (read_only.py).
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


def prepared_inserts(*table_args: Any) -> tuple[Any, ...]:
    """A model's ``__table_args__``, its rows inserted by prepared statements.

    For a table that every request writes a row to, through the ORM's flush (no execution
    option reaches the statements a flush sends): its INSERT, the same whatever the values,
    is otherwise parsed and planned again at every row.
    """
    return (*table_args, {"info": {PREPARED: True}})


def _inserts_into_marked_table(context: ExecutionContext) -> bool:
    if not context.isinsert:
        return False
    return bool(context.compiled.statement.table.info.get(PREPARED))  # type: ignore[union-attr]


def _execute(
    cursor: DBAPICursor, statement: str, parameters: Any, context: ExecutionContext
) -> bool:
    """Run a marked statement as a prepared one; True tells SQLAlchemy it has been run."""
    if not (context.execution_options.get(PREPARED) or _inserts_into_marked_table(context)):
        return False
    cursor.execute(statement, parameters, prepare=True)  # type: ignore[call-arg]
    return True


def register(engine: sa.Engine) -> None:
    """Run ``prepared()`` statements as prepared statements on this PostgreSQL engine."""
    sa.event.listen(engine, "do_execute", _execute)
