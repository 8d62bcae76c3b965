"""gunicorn, started as production runs it, on a free loopback port, for one benchmark."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, port: int) -> dict[str, str]:
    """Production settings, with what plain http on loopback and one client address need."""
    env = dict(os.environ)
    env.update(
        REFERRALS_CONFIG="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        # Plain http on loopback: a Secure cookie would never come back.
        SESSION_COOKIE_SECURE="false",
        HSTS_ENABLED="false",
        # Every benchmark user signs in from 127.0.0.1; production sees one address per
        # office. The per-address limit would otherwise refuse the 60 sign-ins of the setup.
        LOGIN_RATE_LIMIT="10000 per minute",
        # No proxy on loopback; one gunicorn host (production names Redis here).
        TRUSTED_PROXIES="0",
        RATELIMIT_STORAGE_URI="memory://",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    return env


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:<port>
    pid: int  # gunicorn's master (its workers are its children)


@contextmanager
def gunicorn(
    database_url: str, *, app: str = "bench.wsgi_bench:app", **settings: str
) -> Iterator[Server]:
    """Serve ``app`` with gunicorn.conf.py on a free loopback port (``settings``: more env)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                # Its default place is under $HOME, shared by every gunicorn on the machine.
                "--no-control-socket",
                app,
            ],
            cwd=ROOT,
            env=server_environment(database_url, port) | settings,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base, process, log)
            yield Server(base, process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log: object) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, OSError):
            time.sleep(0.3)
    log.seek(0)  # type: ignore[attr-defined]
    raise RuntimeError(f"gunicorn did not start:\n{log.read()[-3000:]}")  # type: ignore[attr-defined]


def workers_and_threads() -> tuple[int, int]:
    """What gunicorn.conf.py chose on this machine (for the report)."""
    namespace: dict[str, object] = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    return int(namespace["workers"]), int(namespace["threads"])  # type: ignore[call-overload]
