"""Request latency of the simplest pages, through the WSGI stack (in process, SQLite)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from config import TestingConfig
from referrals import create_app
from referrals.extensions import db

ROUNDS = 300


def _median_ms(client, path: str) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return round(statistics.median(samples), 3)


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            db.create_all()
        client = app.test_client()
        figures = {
            "healthz_ms": _median_ms(client, "/healthz"),
            "login_page_ms": _median_ms(client, "/login"),
        }
        with app.app_context():
            db.engine.dispose()
    return figures
