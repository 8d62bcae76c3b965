"""End a request that only read with COMMIT, so PostgreSQL keeps its prepared statements.

psycopg prepares a statement on the server after it has run a few times on a connection,
and PostgreSQL then skips parsing it (and, for the generic plans lists.py asks for,
planning it). But psycopg forgets every prepared statement when a transaction is rolled
back, and Flask-SQLAlchemy ends every request with a rollback: nothing ever stayed
prepared. A transaction that only ran SELECTs has nothing to keep or to undo, so COMMIT
and ROLLBACK end it alike; this commits it. Anything else (a statement that is not a
SELECT, an object still waiting to be flushed, an unhandled error) keeps the rollback, so
a half-done change is never committed by this: the views commit what they mean to keep.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from referrals.extensions import db

log = logging.getLogger(__name__)

_WROTE = "referrals.wrote"  # in Connection.info: this transaction sent a non-SELECT


def _note_statement(
    conn: sa.Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    # WITH ... INSERT, SET, SAVEPOINT and the like count as writes: only a leading SELECT
    # is a read, and only alone (a ";" may hide a second statement). The app writes no
    # SELECT ... INTO and calls no function with side effects; a SELECT that takes a lock
    # releases it at COMMIT as at ROLLBACK.
    if statement.lstrip()[:6].upper() != "SELECT" or ";" in statement:
        conn.info[_WROTE] = True


def note_raw_write(conn: sa.Connection) -> None:
    """For writes sent on the driver's own connection (COPY), which no event sees."""
    conn.info[_WROTE] = True


def _forget(conn: sa.Connection) -> None:
    conn.info.pop(_WROTE, None)


def _only_read() -> bool:
    session = db.session()  # the request's Session behind the scoped proxy
    if session.new or session.dirty or session.deleted:
        return False
    if not session.in_transaction():
        return False  # nothing to end
    # The transaction's connection (one engine: no binds), not a new one.
    return not session.connection().info.get(_WROTE)


def register(app: Flask) -> None:
    """Register after ``db.init_app``: teardowns run newest first, so this runs before
    Flask-SQLAlchemy's own (which closes the session with a rollback)."""
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _note_statement)
    for end in ("commit", "rollback"):
        sa.event.listen(engine, end, _forget)

    @app.teardown_appcontext
    def commit_if_only_read(error: BaseException | None) -> None:
        if error is None and _only_read():
            _commit_quietly(db.session())


def _commit_quietly(session: Session) -> None:
    """COMMIT a read-only transaction; if that fails (the connection died), roll back and
    carry on: nothing was written, and an exception here would skip Flask-SQLAlchemy's own
    teardown, leaving the session and its connection checked out."""
    # Flask-SQLAlchemy closes the session next, which leaves loaded objects as they are;
    # expiring them here would change what code holding one still sees.
    session.expire_on_commit = False
    try:
        session.commit()
    except Exception:  # any failure: fall back to what Flask-SQLAlchemy does
        log.warning("ending a read-only transaction failed; rolled back", exc_info=True)
        with contextlib.suppress(Exception):
            session.rollback()
    finally:
        session.expire_on_commit = True
