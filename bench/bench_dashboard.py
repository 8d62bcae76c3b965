"""``GET /dashboard`` and the coalition view for a supervisor over a million referrals on
PostgreSQL, in process.

The database is bench_dashboard (bench/databases.py: created, migrated and loaded with
``bench.generate``'s generator on first use, kept for later runs). A figure is the median
time of one request through the WSGI stack (Flask's test client), no HTTP server.
``bench.scale_dashboard`` measures the same at ten million referrals.
"""

from __future__ import annotations

import os
import statistics
import time

from flask.testing import FlaskClient

from bench import inprocess
from bench.databases import prepare

WARMUPS, ROUNDS = 2, 11
# Another copy of the million (same generator, same seed) while bench_dashboard is in use.
DATABASE = os.environ.get("BENCH_DASHBOARD_DB", "bench_dashboard")
PAGES = {"dashboard": "/dashboard", "coalition": "/dashboard/coalition"}


def run() -> dict[str, float]:
    return measure(DATABASE, "1m")


def measure(name: str, size: str) -> dict[str, float]:
    """``dashboard_<size>_pg_ms``, ``coalition_<size>_pg_ms`` and their statement counts."""
    database = prepare(name, 1_000_000 if size == "1m" else 10_000_000)
    app = inprocess.app_for(database)
    client = inprocess.signed_in(app, database.supervisors[0])
    figures = {}
    for page, path in PAGES.items():
        for _ in range(WARMUPS):
            assert client.get(path).status_code == 200
        with inprocess.counting(app) as statements:
            assert client.get(path).status_code == 200
        figures[f"{page}_{size}_pg_ms"] = _median_ms(client, path)
        figures[f"{page}_{size}_pg_queries"] = float(len(statements))
    inprocess.dispose(app)
    return figures


def _median_ms(client: FlaskClient, path: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert client.get(path).status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)
