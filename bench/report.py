"""The figures table of docs/PERFORMANCE.md, from bench/results.json: ``python -m bench.report``.

Paste its output into the document after a full ``make bench``, so the document always
shows one run's figures side by side.
"""

from __future__ import annotations

import json
import sys

from bench.__main__ import RESULTS

# figure -> (what it is, the command that measures it again)
FIGURES = {
    "inbox_vs_baseline_throughput_ratio": (
        "a partner's `/inbox` (the 5 longest overdue + the 25 newest) ÷ baseline, "
        "pages per second, median of the A/B rounds",
        "python -m bench bench_throughput",
    ),
    "referrals_vs_baseline_throughput_ratio": (
        "a caseworker's sent list `/referrals/` (25 rows) ÷ baseline",
        "python -m bench bench_throughput",
    ),
    "referral_page_vs_baseline_throughput_ratio": (
        "a caseworker's referral page `/referrals/<id>` ÷ baseline",
        "python -m bench bench_throughput",
    ),
    "dashboard_vs_baseline_throughput_ratio": (
        "a supervisor's `/dashboard` ÷ baseline",
        "python -m bench bench_throughput",
    ),
    "inbox_vs_baseline_cpu_ratio": (
        "baseline's server CPU per request ÷ `/inbox`'s (gunicorn workers + PostgreSQL "
        "backends, from `/proc`), median of the same rounds: steadier than pages per second",
        "python -m bench bench_throughput",
    ),
    "referrals_vs_baseline_cpu_ratio": (
        "the same for `/referrals/`",
        "python -m bench bench_throughput",
    ),
    "referral_page_vs_baseline_cpu_ratio": (
        "the same for `/referrals/<id>`",
        "python -m bench bench_throughput",
    ),
    "dashboard_vs_baseline_cpu_ratio": (
        "the same for `/dashboard`",
        "python -m bench bench_throughput",
    ),
    "baseline_cpu_ms": (
        "baseline: server CPU milliseconds per request (median round)",
        "python -m bench bench_throughput",
    ),
    "baseline_db_cpu_ms": ("… of which PostgreSQL's", "python -m bench bench_throughput"),
    "inbox_cpu_ms": ("`/inbox`: server CPU ms per request", "python -m bench bench_throughput"),
    "inbox_db_cpu_ms": ("… of which PostgreSQL's", "python -m bench bench_throughput"),
    "referrals_cpu_ms": (
        "`/referrals/`: server CPU ms per request",
        "python -m bench bench_throughput",
    ),
    "referrals_db_cpu_ms": ("… of which PostgreSQL's", "python -m bench bench_throughput"),
    "referral_page_cpu_ms": (
        "`/referrals/<id>`: server CPU ms per request",
        "python -m bench bench_throughput",
    ),
    "referral_page_db_cpu_ms": ("… of which PostgreSQL's", "python -m bench bench_throughput"),
    "dashboard_cpu_ms": (
        "`/dashboard`: server CPU ms per request",
        "python -m bench bench_throughput",
    ),
    "dashboard_db_cpu_ms": ("… of which PostgreSQL's", "python -m bench bench_throughput"),
    "baseline_rps": (
        "baseline pages per second (median round)",
        "python -m bench bench_throughput",
    ),
    "inbox_rps": ("`/inbox` pages per second (median round)", "python -m bench bench_throughput"),
    "referrals_rps": ("`/referrals/` pages per second", "python -m bench bench_throughput"),
    "referral_page_rps": ("`/referrals/<id>` pages per second", "python -m bench bench_throughput"),
    "dashboard_rps": ("`/dashboard` pages per second", "python -m bench bench_throughput"),
    "throughput_referrals": (
        "referrals in the database of the throughput runs",
        "python -m bench bench_throughput",
    ),
    "inbox_queries_at_100": (
        "SQL statements, `/inbox`, 100 referrals",
        "python -m bench bench_queries",
    ),
    "inbox_queries_at_1m": ("… at 1,000,000 referrals", "python -m bench bench_queries"),
    "referrals_queries_at_100": (
        "SQL statements, `/referrals/`, 100",
        "python -m bench bench_queries",
    ),
    "referrals_queries_at_1m": ("… at 1,000,000", "python -m bench bench_queries"),
    "referral_page_queries_at_100": (
        "SQL statements, `/referrals/<id>`, 100",
        "python -m bench bench_queries",
    ),
    "referral_page_queries_at_1m": ("… at 1,000,000", "python -m bench bench_queries"),
    "dashboard_queries_at_100": (
        "SQL statements, `/dashboard`, 100",
        "python -m bench bench_queries",
    ),
    "dashboard_queries_at_1m": ("… at 1,000,000", "python -m bench bench_queries"),
    "query_counts_equal": (
        "1 when every page's count is equal at both sizes",
        "python -m bench bench_queries",
    ),
    "load_p50_ms": ("load test: median response time, every request", "python -m bench bench_load"),
    "load_p95_ms": ("load test: 95th percentile response time", "python -m bench bench_load"),
    "load_rps": ("load test: requests per second served", "python -m bench bench_load"),
    "load_errors": ("load test: answers other than 200", "python -m bench bench_load"),
    "load_requests": ("load test: requests in all", "python -m bench bench_load"),
    "load_users": ("load test: simulated signed-in users", "python -m bench bench_load"),
    "load_seconds": ("load test: duration", "python -m bench bench_load"),
    "load_referrals": ("load test: referrals in the database", "python -m bench bench_load"),
    "dashboard_1m_pg_ms": (
        "`/dashboard`, supervisor, 1,000,000 referrals, in process, median of 11",
        "python -m bench bench_dashboard",
    ),
    "dashboard_1m_pg_queries": ("… its SQL statements", "python -m bench bench_dashboard"),
    "coalition_1m_pg_ms": (
        "`/dashboard/coalition` (the latest published quarter), supervisor, 1,000,000 referrals, "
        "in process, median of 11",
        "python -m bench bench_dashboard",
    ),
    "coalition_1m_pg_queries": ("… its SQL statements", "python -m bench bench_dashboard"),
    "dashboard_10m_pg_ms": (
        "`/dashboard`, supervisor, 10,000,000 referrals (thirty years of the same coalition), "
        "in process, median of 11",
        "make bench-scale",
    ),
    "dashboard_10m_pg_queries": ("… its SQL statements", "make bench-scale"),
    "coalition_10m_pg_ms": (
        "`/dashboard/coalition`, supervisor, 10,000,000 referrals (thirty years), in process, "
        "median of 11",
        "make bench-scale",
    ),
    "coalition_10m_pg_queries": ("… its SQL statements", "make bench-scale"),
    "dashboard_10m_vs_1m_ratio": (
        "`dashboard_10m_pg_ms` ÷ `dashboard_1m_pg_ms`, both from the same run",
        "make bench-scale",
    ),
    "coalition_10m_vs_1m_ratio": (
        "`coalition_10m_pg_ms` ÷ `coalition_1m_pg_ms`, both from the same run",
        "make bench-scale",
    ),
    "match_10k_programs_ms": (
        "matching one intake against 10,000 programs (engine only), median of 51",
        "python -m bench bench_match",
    ),
    "healthz_ms": ("`/healthz` in process, SQLite, median of 300", "python -m bench bench_http"),
    "login_page_ms": (
        "`/login` page in process, SQLite, median of 300",
        "python -m bench bench_http",
    ),
    "guard_recall_en": (
        "identifier guard: share of the English labelled notes with identifiers it refuses",
        "python -m bench bench_guard",
    ),
    "guard_recall_es": ("… of the Spanish ones", "python -m bench bench_guard"),
    "guard_false_refusals": (
        "identifier guard: share of the clean labelled notes it refuses",
        "python -m bench bench_guard",
    ),
    "guard_p95_ms": (
        "identifier guard: p95 time per note, median of 5 passes",
        "python -m bench bench_guard",
    ),
    "guard_notes": (
        "labelled notes (`referrals/identifiers/eval/notes.jsonl`)",
        "python -m bench bench_guard",
    ),
    "guard_heldout_recall_en": (
        "the same on the 121 held-out notes (`eval/heldout.jsonl`, not tuned on): English",
        "python -m bench bench_guard",
    ),
    "guard_heldout_recall_es": ("… Spanish", "python -m bench bench_guard"),
    "guard_heldout_false_refusals": (
        "… clean held-out notes refused",
        "python -m bench bench_guard",
    ),
}


def _shown(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def table(figures: dict[str, float]) -> str:
    lines = ["| figure | value | what | reproduce |", "|---|---:|---|---|"]
    for name, (what, command) in FIGURES.items():
        if name in figures:
            value = figures[name]
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            lines.append(f"| `{name}` | {shown} | {what} | `{command}` |")
    lines += [
        f"| `{name}` | {value:g} | | |" for name, value in figures.items() if name not in FIGURES
    ]
    return "\n".join(lines)


def main() -> int:
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    print(table(results["figures"]))
    print()
    print(
        "Measured on: " + ", ".join(f"{key} {value}" for key, value in results["machine"].items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
