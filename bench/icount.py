"""Instructions per request, in process: a count that does not move with the host's load.

    .venv/bin/python -m bench.icount /inbox [bench_10k]     # or: baseline, /referrals/

runs the app twice under ``valgrind --tool=cachegrind --cache-sim=no``: once with 100
requests of the page after 30 warm-up requests, once with none, and prints the difference
per request. Production settings as gunicorn serves them (``bench/server.py``); the page's
viewer (a partner for the inbox, a caseworker otherwise) signs in through the real form.
PERFORMANCE.md's instruction tables were counted this way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from bench.server import server_environment

WARMUP = 30
MEASURED = 100
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _requests(path: str, count: int, database_name: str) -> None:
    """The app in this process: sign in, warm up, then ``count`` requests of ``path``."""
    # Before anything imports config.py: its production settings read the environment.
    server = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    os.environ.update(server_environment(f"{server}/{database_name}", 0))
    from bench.baseline import BASELINE_PATH, create_bench_app
    from bench.databases import PASSWORD, prepare

    database = prepare(database_name)
    client = create_bench_app().test_client()
    if path == "baseline":
        path = BASELINE_PATH
    else:
        viewer = database.partners[0] if path.startswith("/inbox") else database.caseworkers[0]
        token = _CSRF.search(client.get("/login").get_data(as_text=True))
        # Production checks the referrer of a form sent over https (the app's scheme).
        response = client.post(
            "/login",
            data={
                "csrf_token": token.group(1) if token else "",
                "email": viewer.email,
                "password": PASSWORD,
            },
            headers={"Referer": "https://localhost/login"},
        )
        assert response.status_code == 302, response.status_code
    for _ in range(WARMUP):
        assert client.get(path).status_code == 200
    for _ in range(count):
        client.get(path)


def _instructions(path: str, count: int, database_name: str) -> int:
    run = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.icount",
            "--run",
            path,
            str(count),
            database_name,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _REFS.search(run.stderr)
    if found is None:
        raise RuntimeError(run.stderr[-2000:])
    return int(found.group(1).replace(",", ""))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--run"]:
        _requests(argv[1], int(argv[2]), argv[3])
        return 0
    path, database_name = argv[0], argv[1] if len(argv) > 1 else "bench_10k"
    per_request = (
        _instructions(path, MEASURED, database_name) - _instructions(path, 0, database_name)
    ) / MEASURED
    print(f"{path} on {database_name}: {per_request / 1e6:.2f} M instructions a request")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
