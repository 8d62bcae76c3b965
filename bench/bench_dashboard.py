"""``GET /dashboard`` for a supervisor over a million referrals on PostgreSQL, in process.

The database is bench_dashboard (bench/databases.py: created, migrated and loaded with
``bench.generate``'s generator on first use, kept for later runs). The figure is the median
time of one request through the WSGI stack (Flask's test client), no HTTP server.
"""

from __future__ import annotations

import statistics
import time

from flask.testing import FlaskClient

from bench import inprocess
from bench.databases import prepare

WARMUPS, ROUNDS = 2, 11


def run() -> dict[str, float]:
    database = prepare("bench_dashboard")
    app = inprocess.app_for(database)
    client = inprocess.signed_in(app, database.supervisors[0])
    for _ in range(WARMUPS):
        assert client.get("/dashboard").status_code == 200
    with inprocess.counting(app) as statements:
        assert client.get("/dashboard").status_code == 200
    figures = {
        "dashboard_1m_pg_ms": _median_ms(client),
        "dashboard_1m_pg_queries": float(len(statements)),
    }
    inprocess.dispose(app)
    return figures


def _median_ms(client: FlaskClient) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        assert client.get("/dashboard").status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)
