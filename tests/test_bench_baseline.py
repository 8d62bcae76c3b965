"""The benchmark's baseline page exists only in the benchmark's app, and renders its rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from bench.baseline import BASELINE_PATH, ROWS, create_bench_app, create_fortunes, drop_fortunes
from config import TestingConfig
from referrals import create_app
from referrals.extensions import db
from tests.conftest import database_url


@pytest.fixture
def bench_app(backend: str, tmp_path) -> Iterator[Flask]:
    """The app gunicorn serves during the benchmark, with the baseline's table filled."""
    app = create_bench_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url(backend, tmp_path))
    with app.app_context():
        create_fortunes(db.engine)
    yield app
    with app.app_context():
        drop_fortunes(db.engine)
        db.engine.dispose()


def test_the_production_app_has_no_baseline_route():
    app = create_app(TestingConfig)
    paths = {rule.rule for rule in app.url_map.iter_rules()}
    assert BASELINE_PATH not in paths
    assert not any(rule.endpoint.startswith("bench.") for rule in app.url_map.iter_rules())
    assert app.test_client().get(BASELINE_PATH).status_code == 404


def test_the_bench_app_renders_fifty_rows_without_signing_in(bench_app):
    response = bench_app.test_client().get(BASELINE_PATH)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.count("<tr><td>") == ROWS
    # Rows are escaped like any other template output.
    assert "<script>" not in body
    assert "&lt;script&gt;" in body


def test_the_bench_app_keeps_every_route_of_the_app(bench_app):
    app_rules = {rule.rule for rule in create_app(TestingConfig).url_map.iter_rules()}
    bench_rules = {rule.rule for rule in bench_app.url_map.iter_rules()}
    assert bench_rules - app_rules == {BASELINE_PATH}
