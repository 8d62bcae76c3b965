"""How long the HTTP benchmarks run: full by default, short with ``BENCH_QUICK=1``.

The full figures come from ``make bench`` on an otherwise idle machine; the quick ones only
check that everything works (they are noisy).
"""

from __future__ import annotations

import os


def _number(name: str, full: float, quick: float) -> float:
    value = os.environ.get(name, "")
    if value.strip():
        return float(value)
    return quick if os.environ.get("BENCH_QUICK") == "1" else full


# A/B throughput: rounds of the baseline and the page, each this many seconds. Many short
# rounds rather than a few long ones: this machine's speed drifts by tens of percent within
# a minute (its host is shared), and a baseline round 4 s before its page round sees the
# same machine more often than one 10 s before; 12 ratios give a steadier median than 5.
ROUNDS = int(_number("BENCH_ROUNDS", 12, 3))
ROUND_SECONDS = _number("BENCH_ROUND_SECONDS", 4, 2)
WARMUP_SECONDS = _number("BENCH_WARMUP_SECONDS", 3, 1)
# Requests in flight at once in the throughput client (keep-alive connections).
CONNECTIONS = int(_number("BENCH_CONNECTIONS", 8, 8))
# The load test: simulated users and how long they run.
LOAD_USERS = int(_number("BENCH_LOAD_USERS", 50, 50))
LOAD_SECONDS = int(_number("BENCH_LOAD_SECONDS", 60, 15))
# The database each benchmark runs against.
THROUGHPUT_DATABASE = os.environ.get("BENCH_THROUGHPUT_DB", "bench_dashboard")
LOAD_DATABASE = os.environ.get("BENCH_LOAD_DB", "bench_10k")
