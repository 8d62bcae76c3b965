"""Throughput of each page against the floor, measured in alternation (A B A B ...).

gunicorn serves the app with gunicorn.conf.py and production settings on loopback; a
closed-loop client keeps ``CONNECTIONS`` requests in flight for a fixed time, first on the
baseline (bench/baseline.py: one query of 50 rows and a Jinja render, no sign-in), then on
the page, and again. Each page round is divided by the baseline round just before it, so a
slower or busier moment of the machine weighs on both; the figure is the median ratio.
"""

from __future__ import annotations

import statistics

from bench import settings
from bench.baseline import BASELINE_PATH
from bench.client import closed_loop, cookie_header, sign_in
from bench.databases import prepare
from bench.pages import measured_pages
from bench.server import gunicorn


class ErrorsDuringRun(RuntimeError):
    pass


def _rate(base: str, path: str, cookie: str, seconds: float) -> float:
    rate, errors = closed_loop(
        base, path, cookie, seconds=seconds, connections=settings.CONNECTIONS
    )
    if errors:
        raise ErrorsDuringRun(f"{errors} answers other than 200 from {path}")
    return rate


def run() -> dict[str, float]:
    database = prepare(settings.THROUGHPUT_DATABASE)
    pages = measured_pages(database, database.supervisors[2])
    figures: dict[str, float] = {}
    baselines: list[float] = []
    with gunicorn(database.url) as base:
        cookies = {page.figure: cookie_header(sign_in(base, page.viewer)) for page in pages}
        _rate(base, BASELINE_PATH, "", settings.WARMUP_SECONDS)
        for page in pages:
            cookie = cookies[page.figure]
            _rate(base, page.path, cookie, settings.WARMUP_SECONDS)
            ratios, rates = [], []
            for _ in range(settings.ROUNDS):
                floor = _rate(base, BASELINE_PATH, "", settings.ROUND_SECONDS)
                rate = _rate(base, page.path, cookie, settings.ROUND_SECONDS)
                baselines.append(floor)
                rates.append(rate)
                ratios.append(rate / floor)
                print(
                    f"   {page.figure}: baseline {floor:.1f}/s, page {rate:.1f}/s, "
                    f"ratio {rate / floor:.3f}",
                    flush=True,
                )
            figures[f"{page.figure}_vs_baseline_throughput_ratio"] = round(
                statistics.median(ratios), 3
            )
            figures[f"{page.figure}_rps"] = round(statistics.median(rates), 1)
    figures["baseline_rps"] = round(statistics.median(baselines), 1)
    figures["throughput_referrals"] = float(database.referrals)
    return figures
