"""``make bench``: run every benchmark module and write ``bench/results.json``.

Each module ``bench/bench_*.py`` exposes ``run() -> dict[str, float]``; its figures are
merged into ``{"machine": ..., "figures": {...}}``. Figures from earlier runs that a module
did not produce this time are kept, so one slow benchmark can be re-run on its own:
``python -m bench bench_http``.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    from bench.databases import server_version
    from bench.server import workers_and_threads

    workers, threads = workers_and_threads()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "postgresql": server_version(),
        "gunicorn": f"gthread, {workers} workers x {threads} threads",
        "quick": os.environ.get("BENCH_QUICK") == "1",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(selected: list[str]) -> int:
    names = selected or sorted(path.stem for path in HERE.glob("bench_*.py"))
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures: dict[str, float] = dict(previous.get("figures", {}))
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}", flush=True)
        for figure, value in module.run().items():
            figures[figure] = value
            print(f"   {figure} = {value}", flush=True)
    RESULTS.write_text(json.dumps({"machine": machine(), "figures": figures}, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
