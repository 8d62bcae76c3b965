"""``make bench-scale``: the dashboard and the coalition view at one and ten million referrals.

Not a ``bench_*`` module, so ``make bench`` leaves it out: the first run loads bench_10m
(ten million referrals with COPY, then the rollups; see docs/PERFORMANCE.md for the time and
the disk it takes). Both sizes are measured in the same run, so the ratios compare like with
like: a ratio near 1 says the page's cost does not grow with the referrals.
"""

from __future__ import annotations

from bench.bench_dashboard import DATABASE, PAGES, measure


def run() -> dict[str, float]:
    figures = {**measure(DATABASE, "1m"), **measure("bench_10m", "10m")}
    for page in PAGES:
        ratio = figures[f"{page}_10m_pg_ms"] / figures[f"{page}_1m_pg_ms"]
        figures[f"{page}_10m_vs_1m_ratio"] = round(ratio, 2)
    return figures
