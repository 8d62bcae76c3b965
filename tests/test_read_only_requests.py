"""A request that only read ends with COMMIT (psycopg then keeps its prepared statements);
anything that wrote, or failed, still ends with a rollback: nothing half-done is committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask

from referrals.extensions import db
from referrals.programs.models import Organization


@contextmanager
def transaction_ends(app: Flask) -> Iterator[list[str]]:
    """'commit' or 'rollback', for every transaction that ended while the block ran."""
    ends: list[str] = []
    with app.app_context():
        engine = db.engine

    def on_commit(_conn: sa.Connection) -> None:
        ends.append("commit")

    def on_rollback(_conn: sa.Connection) -> None:
        ends.append("rollback")

    sa.event.listen(engine, "commit", on_commit)
    sa.event.listen(engine, "rollback", on_rollback)
    try:
        yield ends
    finally:
        sa.event.remove(engine, "commit", on_commit)
        sa.event.remove(engine, "rollback", on_rollback)


def _organizations(app: Flask, name: str) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Organization)
                .where(Organization.name == name)
            )
            or 0
        )


def test_a_request_that_only_read_ends_with_commit(app):
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    assert ends == ["commit"]


def test_a_signed_in_page_view_ends_with_commit(app, coalition_partner):
    client = coalition_partner
    client.get("/inbox")  # the session's once-a-minute touch, if due, commits here
    with transaction_ends(app) as ends:
        assert client.get("/inbox").status_code == 200
    assert ends == ["commit"]


def test_a_flushed_write_is_rolled_back_not_committed(app):
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.add(Organization(name="Half written", slug="half-written"))
        db.session.flush()  # sent, never committed by the view
    assert ends == ["rollback"]
    assert _organizations(app, "Half written") == 0


def test_a_pending_object_is_never_flushed_by_the_end_of_a_request(app):
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
        db.session.add(Organization(name="Never flushed", slug="never-flushed"))
    assert "commit" not in ends
    assert _organizations(app, "Never flushed") == 0


def test_a_read_after_a_write_statement_still_rolls_back(app):
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.execute(
            sa.update(Organization).where(Organization.name == "nobody").values(phone="x")
        )
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    assert ends == ["rollback"]


def test_an_unhandled_error_rolls_back(app):
    def failing_view() -> None:
        with app.test_request_context("/"):
            db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
            raise RuntimeError("the view failed")

    with transaction_ends(app) as ends, pytest.raises(RuntimeError):
        failing_view()
    assert ends == ["rollback"]


def test_a_committed_write_then_a_read_ends_with_commit(app):
    with transaction_ends(app) as ends, app.test_request_context("/"):
        db.session.add(Organization(name="Kept", slug="kept"))
        db.session.commit()  # what a view does with what it means to keep
        db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
    assert ends == ["commit", "commit"]
    assert _organizations(app, "Kept") == 1


def test_objects_loaded_in_a_request_keep_their_values_after_it(app, make_org):
    org = make_org(name="Loaded Org")
    with app.test_request_context("/"):
        loaded = db.session.get(Organization, org.id)
    assert loaded is not None
    assert loaded.name == "Loaded Org"  # not expired by the commit: no detached reload


@pytest.fixture
def coalition_partner(app, make_org, make_user):
    from referrals.enums import Role
    from tests.conftest import login

    partner = make_user(Role.PARTNER, org=make_org(name="Inbox Org", refers=False))
    client = app.test_client()
    assert login(client, partner).status_code == 302
    return client


def test_a_select_hiding_a_second_statement_counts_as_a_write(app):
    from referrals.read_only_requests import _WROTE, _note_statement

    with app.test_request_context("/"):
        connection = db.session.connection()
        _note_statement(connection, None, "SELECT 1", None, None, False)
        assert not connection.info.get(_WROTE)
        _note_statement(connection, None, "SELECT 1; DELETE FROM organizations", None, None, False)
        assert connection.info.get(_WROTE)
    assert _organizations(app, "anything") == 0  # and the request rolled back


def test_a_failed_commit_rolls_back_and_leaves_nothing_checked_out(app, monkeypatch):
    """If COMMIT fails (the connection died), teardown must not raise: an exception there
    would skip Flask-SQLAlchemy's own teardown and keep the session's connection."""
    from sqlalchemy.orm import Session

    def broken_commit(self: Session) -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    with transaction_ends(app) as ends:
        with app.test_request_context("/"):
            db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
            monkeypatch.setattr(Session, "commit", broken_commit)
        monkeypatch.undo()
    assert ends == ["rollback"]
    with app.app_context():
        assert db.engine.pool.checkedout() == 0
