"""SQL statements per request at 100 and at 1,000,000 referrals: they must be equal.

In process (Flask's test client) with a SQLAlchemy ``before_cursor_execute`` listener, as
tests/test_lifecycle_lists.py counts them; every statement the request sends is counted,
the sign-in check and the navigation badge included.
"""

from __future__ import annotations

from bench import inprocess
from bench.databases import BenchDatabase, prepare
from bench.pages import measured_pages

SIZES = {"100": "bench_100", "1m": "bench_dashboard"}
# The session's "last seen" is written at most once a minute; the warm-up requests take it.
WARMUPS = 2


def count_statements(database: BenchDatabase) -> dict[str, int]:
    app = inprocess.app_for(database)
    counts: dict[str, int] = {}
    for page in measured_pages(database, database.supervisors[1]):
        client = inprocess.signed_in(app, page.viewer)
        for _ in range(WARMUPS):
            assert client.get(page.path).status_code == 200, page.path
        with inprocess.counting(app) as statements:
            assert client.get(page.path).status_code == 200, page.path
        counts[page.figure] = len(statements)
    inprocess.dispose(app)
    return counts


def run() -> dict[str, float]:
    by_size = {label: count_statements(prepare(name)) for label, name in SIZES.items()}
    figures: dict[str, float] = {}
    for label, counts in by_size.items():
        for page, count in counts.items():
            figures[f"{page}_queries_at_{label}"] = float(count)
    unequal = [page for page in by_size["100"] if by_size["100"][page] != by_size["1m"][page]]
    if unequal:
        print(f"   NOT EQUAL at 100 and 1m: {', '.join(unequal)}", flush=True)
    figures["query_counts_equal"] = 0.0 if unequal else 1.0
    return figures
