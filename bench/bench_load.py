"""50 signed-in staff reading pages at once, for 60 seconds, with locust on loopback.

Caseworkers, partners and supervisors in the proportions 2 : 2 : 1, each with their own
session, reading their own pages (home, lists, referral pages, dashboards) with 1-3 s
pauses. gunicorn and the database are as in bench_throughput. Figures: median and 95th
percentile response time over every request, requests per second, and errors (any answer
but 200, a redirect to the sign-in page included).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import settings
from bench.client import cookie_header, sign_in
from bench.databases import Account, BenchDatabase, prepare
from bench.server import ROOT, gunicorn
from referrals.enums import Role

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
_PUBLIC_ID = re.compile(r'href="/referrals/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})"')
# (path, weight); "{referral}" is one of the referrals the user's own list shows.
PAGES = {
    Role.CASEWORKER: [
        ("/", 1),
        ("/referrals/", 3),
        ("{referral}", 3),
        ("/intakes/", 1),
        ("/dashboard", 1),
    ],
    Role.PARTNER: [("/", 1), ("/inbox", 4), ("{referral}", 3), ("/dashboard", 1)],
    Role.SUPERVISOR: [
        ("/", 1),
        ("/dashboard", 3),
        ("/inbox", 2),
        ("/referrals/", 2),
        ("{referral}", 2),
        ("/dashboard/coalition", 1),
    ],
}


def _accounts(database: BenchDatabase, users: int) -> list[Account]:
    """Two caseworkers and two partners for each supervisor; one account per supervisor."""
    supervisors = database.supervisors[4:]
    chosen: list[Account] = []
    for n in range(users):
        slot = n % 5
        if slot < 2:
            chosen.append(database.caseworkers[n % len(database.caseworkers)])
        elif slot < 4:
            chosen.append(database.partners[n % len(database.partners)])
        else:
            chosen.append(supervisors[(n // 5) % len(supervisors)])
    return chosen


def _session(base: str, account: Account) -> dict[str, object]:
    """Sign in, and list the pages this user will read (its referrals from its own list)."""
    browser = sign_in(base, account)
    own_list = "/inbox" if account.role == Role.PARTNER else "/referrals/"
    referrals = _PUBLIC_ID.findall(browser.get(f"{base}{own_list}", timeout=60).text)[:20]
    pages: list[dict[str, object]] = []
    for path, weight in PAGES[account.role]:
        if path != "{referral}":
            pages.append({"path": path, "name": path, "weight": weight})
            continue
        pages += [
            {
                "path": f"/referrals/{pid}",
                "name": "/referrals/<id>",
                "weight": weight / len(referrals),
            }
            for pid in referrals
        ]
    return {"role": account.role.value, "cookie": cookie_header(browser), "pages": pages}


def _locust(base: str, sessions_file: Path, prefix: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(settings.LOAD_USERS),
        "--spawn-rate",
        "10",
        "--run-time",
        f"{settings.LOAD_SECONDS}s",
        "--host",
        base,
        "--json-file",
        str(prefix),
        "--only-summary",
        "--skip-log",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "BENCH_SESSIONS": str(sessions_file)}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=settings.LOAD_SECONDS + 120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"locust failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")


def percentile(histogram: dict[int, int], fraction: float) -> float:
    """Locust's percentile over a {milliseconds (rounded as locust rounds): count} histogram."""
    total = sum(histogram.values())
    seen = 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= total * fraction:
            return float(milliseconds)
    return 0.0


def _figures(stats_json: Path) -> dict[str, float]:
    """Every request together, from locust's final statistics (one entry per page name)."""
    entries = json.loads(stats_json.read_text(encoding="utf-8"))
    histogram: dict[int, int] = {}
    for entry in entries:
        times = {int(ms): count for ms, count in entry["response_times"].items()}
        for ms, count in times.items():
            histogram[ms] = histogram.get(ms, 0) + count
        print(
            f"   {entry['name']:22s} {entry['num_requests']:6d} requests, "
            f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
            f"errors {entry['num_failures']}",
            flush=True,
        )
    requests = sum(entry["num_requests"] for entry in entries)
    began = min(entry["start_time"] for entry in entries)
    ended = max(entry["last_request_timestamp"] for entry in entries)
    return {
        "load_p50_ms": percentile(histogram, 0.5),
        "load_p95_ms": percentile(histogram, 0.95),
        "load_rps": round(requests / (ended - began), 1),
        "load_errors": float(sum(entry["num_failures"] for entry in entries)),
        "load_requests": float(requests),
    }


def run() -> dict[str, float]:
    database = prepare(settings.LOAD_DATABASE)
    with gunicorn(database.url) as server, tempfile.TemporaryDirectory() as tmp:
        base = server.base
        sessions = [_session(base, a) for a in _accounts(database, settings.LOAD_USERS)]
        sessions_file = Path(tmp) / "sessions.json"
        sessions_file.write_text(json.dumps(sessions), encoding="utf-8")
        _locust(base, sessions_file, Path(tmp) / "load")
        figures = _figures(Path(tmp) / "load.json")
    figures["load_users"] = float(settings.LOAD_USERS)
    figures["load_seconds"] = float(settings.LOAD_SECONDS)
    figures["load_referrals"] = float(database.referrals)
    return figures
