"""Throughput of each page against the floor, measured in alternation (A B A B ...).

gunicorn serves the app with gunicorn.conf.py and production settings on loopback; a
closed-loop client keeps ``CONNECTIONS`` requests in flight for a fixed time, first on the
baseline (bench/baseline.py: one query of 50 rows and a Jinja render, no sign-in), then on
the page, and again. Each page round is divided by the baseline round just before it, so a
slower or busier moment of the machine weighs on both; the figure is the median ratio.

Each round also reads the CPU time the server spent (bench/cpu.py: gunicorn's workers and
PostgreSQL's backends of the database) per request: on a shared host pages per second drift
with the neighbours, CPU time per request much less, so ``*_vs_baseline_cpu_ratio`` (the
baseline's CPU per request over the page's) says the same thing more steadily.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench import cpu, settings
from bench.baseline import BASELINE_PATH
from bench.client import closed_loop, cookie_header, sign_in
from bench.databases import prepare
from bench.pages import measured_pages
from bench.server import Server, gunicorn


class ErrorsDuringRun(RuntimeError):
    pass


@dataclass(frozen=True)
class Round:
    rate: float  # pages per second
    cpu_ms: float  # server CPU milliseconds per request
    database_cpu_ms: float  # of which PostgreSQL's


def _round(server: Server, database: str, path: str, cookie: str, seconds: float) -> Round:
    before = cpu.read(server.pid, database)
    loop = closed_loop(server.base, path, cookie, seconds=seconds, connections=settings.CONNECTIONS)
    spent = cpu.spent(before, cpu.read(server.pid, database))
    if loop.errors:
        raise ErrorsDuringRun(f"{loop.errors} answers other than 200 from {path}")
    per_request = 1000 / max(loop.requests, 1)
    return Round(loop.rate, spent.total * per_request, spent.database * per_request)


def run() -> dict[str, float]:
    if not cpu.available():
        raise RuntimeError("bench_throughput reads CPU times from /proc (Linux)")
    database = prepare(settings.THROUGHPUT_DATABASE)
    pages = measured_pages(database, database.supervisors[2])
    figures: dict[str, float] = {}
    baselines: list[Round] = []
    with gunicorn(database.url) as server:
        cookies = {page.figure: cookie_header(sign_in(server.base, page.viewer)) for page in pages}
        _round(server, database.name, BASELINE_PATH, "", settings.WARMUP_SECONDS)
        for page in pages:
            cookie = cookies[page.figure]
            _round(server, database.name, page.path, cookie, settings.WARMUP_SECONDS)
            rounds: list[tuple[Round, Round]] = []
            for _ in range(settings.ROUNDS):
                floor = _round(server, database.name, BASELINE_PATH, "", settings.ROUND_SECONDS)
                measured = _round(server, database.name, page.path, cookie, settings.ROUND_SECONDS)
                rounds.append((floor, measured))
                print(
                    f"   {page.figure}: baseline {floor.rate:.1f}/s {floor.cpu_ms:.2f} ms "
                    f"({floor.database_cpu_ms:.2f} PostgreSQL), "
                    f"page {measured.rate:.1f}/s {measured.cpu_ms:.2f} ms "
                    f"({measured.database_cpu_ms:.2f}), "
                    f"ratio {measured.rate / floor.rate:.3f} "
                    f"(CPU {_cpu_ratio(floor, measured):.3f})",
                    flush=True,
                )
            baselines.extend(floor for floor, _ in rounds)
            figures.update(_page_figures(page.figure, rounds))
    figures["baseline_rps"] = round(statistics.median(r.rate for r in baselines), 1)
    figures["baseline_cpu_ms"] = round(statistics.median(r.cpu_ms for r in baselines), 3)
    figures["baseline_db_cpu_ms"] = round(
        statistics.median(r.database_cpu_ms for r in baselines), 3
    )
    figures["throughput_referrals"] = float(database.referrals)
    return figures


def _cpu_ratio(floor: Round, page: Round) -> float:
    # A round too short for one clock tick of CPU would read 0: counted as one tick's worth.
    return floor.cpu_ms / max(page.cpu_ms, 1e-3)


def _page_figures(name: str, rounds: list[tuple[Round, Round]]) -> dict[str, float]:
    def median(values: list[float], digits: int) -> float:
        return round(statistics.median(values), digits)

    return {
        f"{name}_vs_baseline_throughput_ratio": median([p.rate / b.rate for b, p in rounds], 3),
        f"{name}_vs_baseline_cpu_ratio": median([_cpu_ratio(b, p) for b, p in rounds], 3),
        f"{name}_rps": median([p.rate for _, p in rounds], 1),
        f"{name}_cpu_ms": median([p.cpu_ms for _, p in rounds], 3),
        f"{name}_db_cpu_ms": median([p.database_cpu_ms for _, p in rounds], 3),
    }
