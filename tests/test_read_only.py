"""A view declared ``@read_only`` ends its reads with COMMIT (psycopg then keeps its prepared
statements); anything else, and a declared view that changed something or failed, still
ends with a rollback: nothing half-done is committed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from referrals.enums import Role
from referrals.extensions import db
from referrals.programs.models import Organization
from referrals.read_only import read_only
from tests.conftest import login


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
        count = sa.select(sa.func.count()).select_from(Organization)
        return int(db.session.scalar(count.where(Organization.name == name)) or 0)


def _count() -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) or 0)


def _run(app: Flask, view: Callable[[], Any]) -> None:
    """``view`` as a request runs it: in a request context, torn down afterwards."""
    with app.test_request_context("/"):
        view()


@pytest.fixture
def partner(app: Flask, make_org: Any, make_user: Any) -> FlaskClient:
    return _signed_in(app, make_user(Role.PARTNER, org=make_org(refers=False)), "/inbox")


def _signed_in(app: Flask, user: Any, page: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, user).status_code == 302
    client.get(page)  # the session's once-a-minute touch, if due, commits here
    return client


@pytest.mark.parametrize(
    ("role", "path"), [(Role.PARTNER, "/inbox"), (Role.CASEWORKER, "/referrals/")]
)
def test_the_declared_list_pages_end_with_commit(app: Flask, make_user: Any, role: Role, path: str):
    client = _signed_in(app, make_user(role), path)
    with transaction_ends(app) as ends:
        assert client.get(path).status_code == 200
    assert ends == ["commit"]


def test_a_page_that_does_not_declare_it_rolls_back(app: Flask, partner: FlaskClient):
    with transaction_ends(app) as ends:
        assert partner.get("/programs/").status_code == 200
    assert ends == ["rollback"]


def test_a_declared_view_that_only_read_commits(app: Flask):
    with transaction_ends(app) as ends:
        _run(app, read_only(_count))
    assert ends == ["commit"]


def test_a_pending_object_is_rolled_back_not_committed(app: Flask):
    def view() -> None:
        _count()
        db.session.add(Organization(name="Never flushed", slug="never-flushed"))

    with transaction_ends(app) as ends:
        _run(app, read_only(view))
    assert ends == ["rollback"]
    assert _organizations(app, "Never flushed") == 0


def test_a_flushed_write_is_rolled_back_not_committed(app: Flask):
    def view() -> None:
        db.session.add(Organization(name="Half written", slug="half-written"))
        db.session.flush()  # sent, never committed by the view

    with transaction_ends(app) as ends:
        _run(app, read_only(view))
    assert ends == ["rollback"]
    assert _organizations(app, "Half written") == 0


def test_a_committed_write_then_a_read_ends_with_commit(app: Flask):
    def view() -> None:
        db.session.add(Organization(name="Kept", slug="kept"))
        db.session.commit()  # what a view does with what it means to keep
        _count()

    with transaction_ends(app) as ends:
        _run(app, read_only(view))
    assert ends == ["commit", "commit"]
    assert _organizations(app, "Kept") == 1


def test_an_error_in_a_declared_view_rolls_back(app: Flask):
    def view() -> None:
        _count()
        raise RuntimeError("the view failed")

    with transaction_ends(app) as ends, pytest.raises(RuntimeError):
        _run(app, read_only(view))
    assert ends == ["rollback"]


def test_objects_loaded_by_a_declared_view_keep_their_values(app: Flask, make_org: Any):
    org = make_org(name="Loaded Org")
    loaded: list[Organization] = []
    _run(app, read_only(lambda: loaded.append(db.session.get(Organization, org.id))))
    assert loaded[0].name == "Loaded Org"  # not expired by the commit: no detached reload


def test_a_failed_commit_rolls_back_and_leaves_nothing_checked_out(app: Flask, monkeypatch):
    """If COMMIT fails (the connection died), the answer still goes out, and the session's
    connection goes back to the pool."""
    from sqlalchemy.orm import Session

    def broken_commit(self: Session) -> None:
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    def view() -> str:
        _count()
        monkeypatch.setattr(Session, "commit", broken_commit)
        return "answer"

    with transaction_ends(app) as ends, app.test_request_context("/"):
        assert read_only(view)() == "answer"
        monkeypatch.undo()
    assert ends == ["rollback"]
    with app.app_context():
        assert db.engine.pool.checkedout() == 0
