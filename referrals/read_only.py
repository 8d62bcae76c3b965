"""GET requests and their transactions: views that change nothing, and the one way a view
that reads records that it did.

Views that change nothing say so with ``@read_only``: their transaction ends with COMMIT.

psycopg forgets every prepared statement (postgresql.prepared) at a rollback, and
Flask-SQLAlchemy ends each request's transaction with one: the session check and the list
statements would be prepared again on every request and never reach their generic plans.
A transaction that only read has nothing to keep or to undo, so COMMIT ends it as ROLLBACK
would, and the statements stay prepared. The view declares it; nothing is inferred from
what it sent. A declared view that changed objects in the session anyway (pending, or
flushed and not committed) is mistaken: that transaction is rolled back as any other,
never committed by this.

Viewing an intake or a referral is audited, and the receiving organization's first view of
a referral is a read receipt: ``record_read`` commits that record before the page renders
(no client data is shown unrecorded), keeping what the view loaded, so the page needs no
second load. Nothing else is written from a GET view. The referral page does both: its
view is recorded and committed first, and what it reads afterwards (its lists) ends with
COMMIT under ``@read_only``, so that its prepared statements stay prepared.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Session, SessionTransaction

from referrals.extensions import db

log = logging.getLogger(__name__)
View = TypeVar("View", bound=Callable[..., Any])
P = ParamSpec("P")
_FLUSHED = "referrals.flushed"  # in Session.info: this transaction flushed a change


@sa.event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context: Any) -> None:
    session.info[_FLUSHED] = True


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_flush(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction itself, not a savepoint within it
        session.info.pop(_FLUSHED, None)


def read_only(view: View) -> View:
    """Declare a view that changes nothing (below ``login_required``, whose session check
    commits its own once-a-minute touch): its answer is rendered, then its reads end with
    COMMIT. An error in the view skips this, and the request rolls back."""

    @wraps(view)
    def reading(*args: Any, **kwargs: Any) -> Any:
        answer = view(*args, **kwargs)
        end_reading()
        return answer

    return cast(View, reading)


def end_reading() -> None:
    """COMMIT the session's transaction if it changed nothing; if that fails (the
    connection died), roll back and carry on: nothing was written."""
    session = db.session()
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted or session.info.get(_FLUSHED):
        log.error("%s is declared read-only but changed something: rolled back", request.endpoint)
        return  # Flask-SQLAlchemy's teardown rolls it back
    # The answer is rendered already; expiring what it loaded would only cost reloads if
    # anything after the view (an after_request hook) still read it.
    session.expire_on_commit = False
    try:
        session.commit()
    except Exception:  # any failure: end as Flask-SQLAlchemy would have
        log.warning("ending a read-only transaction failed; rolled back", exc_info=True)
        with contextlib.suppress(Exception):
            session.rollback()
    finally:
        session.expire_on_commit = True


def record_read(record: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> None:
    """Call ``record(*args, **kwargs)`` (an audit-of-view, a read receipt) and commit it."""
    record(*args, **kwargs)
    session = db.session()
    # Loaded rows keep their values: the record changed none that the page shows unless it
    # set them itself (the read receipt does).
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
