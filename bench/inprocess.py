"""The app in this process (Flask's test client): signing in, and counting SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench.databases import PASSWORD, Account, BenchDatabase
from bench.two_step import code_at_offset
from config import TestingConfig
from referrals import create_app
from referrals.extensions import db


def app_for(database: BenchDatabase) -> Flask:
    """The app on a benchmark database (testing settings: no CSRF, so forms post directly)."""
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database.url)


def signed_in(app: Flask, account: Account) -> FlaskClient:
    """A test client signed in as ``account``, through the code step when it has one."""
    client = app.test_client()
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 302, (account.email, response.status_code)
    if response.headers["Location"].endswith("/login/verify"):
        assert account.totp_secret is not None
        for offset in (0, 1):
            response = client.post(
                "/login/verify", data={"code": code_at_offset(account.totp_secret, offset)}
            )
            if response.status_code == 302:
                break
        assert response.status_code == 302, (account.email, "code step", response.status_code)
    return client


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()
