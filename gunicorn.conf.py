"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Threaded workers (gthread) sized from the machine's cores; every value can be overridden by
an environment variable, so one file serves a small VM and a large one. The app runs behind
a TLS proxy (see the README); gunicorn itself listens on loopback by default.
"""

from __future__ import annotations

import os
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


_cores = os.cpu_count() or 1

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Processes do the Python work (one core each at a time, because of the GIL). 2 x cores + 1
# processes keep the cores busy while some requests wait on PostgreSQL. One thread each: on
# the 2-core benchmark machine, 4 threads per process cost the inbox ~10% of its
# throughput (the threads of a process contend for the GIL around every database round
# trip) and gained nothing for the fast pages (docs/PERFORMANCE.md). GUNICORN_THREADS
# raises it where slow pages (the dashboard at a million referrals) must not hold a
# process each.
workers = _int("GUNICORN_WORKERS", 2 * _cores + 1)
threads = _int("GUNICORN_THREADS", 1)
# Each thread holds at most one database connection: workers x threads must stay under
# PostgreSQL's max_connections (100 by default) with room for cron jobs and migrations.

# Requests are short; a worker silent this long is stuck and is replaced. A deploy or a
# restart lets requests in flight finish for up to graceful_timeout seconds.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Keep-alive between the proxy and gunicorn saves a TCP handshake per request.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# The app's MAX_CONTENT_LENGTH (config.py reads the same variable with the same default).
_MAX_BODY = _int("MAX_CONTENT_LENGTH", 1024 * 1024)


def pre_request(worker: object, req: Any) -> None:
    """Close the connection after a request whose body may be refused part-read.

    A body over the limit gets a 413 with the rest of it unread, and the connection cannot
    carry another request after that. gunicorn ignores a Connection header from the app (a
    WSGI app may not send one), so it is decided here: the 413 then says "Connection: close"
    and gunicorn closes, instead of saying keep-alive and hanging up. A chunked body's size is
    known only once read, so every chunked request closes its connection; browsers and the
    TLS proxy send lengths, so only such rare clients pay a new connection.
    """
    headers = dict(req.headers)  # names in upper case
    declared = headers.get("CONTENT-LENGTH", "")
    if "chunked" in headers.get("TRANSFER-ENCODING", "").lower() or (
        declared.isdigit() and int(declared) > _MAX_BODY
    ):
        req.force_close()


# Recycle a worker now and then so a slow leak can never grow without bound; the jitter
# keeps the workers from restarting at the same moment.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)

# Not preloaded: each worker imports the app itself, so no database connection, pool or
# random state opened at import time is ever shared between forked processes. It costs a
# second of start-up per worker and some memory, and a restart reloads the code.
preload_app = os.environ.get("GUNICORN_PRELOAD", "").lower() in {"1", "true", "yes"}

# The heartbeat file on tmpfs: a container's /tmp may be on a slow overlay disk.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's own heartbeat files, not shared data
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# The app writes one line per request itself (operations/request_log.py), with the route
# rule instead of the path: an intake's path holds its client code. So gunicorn's access
# log, which would write the path, stays off unless asked for ("-" is stdout).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only the local proxy may say the original request was https.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "kc-referrals"


# Prometheus multiprocess mode (operations/metrics.py): each worker writes its metrics to
# files in PROMETHEUS_MULTIPROC_DIR, set by the systemd unit (deploy/), and a scrape adds
# them up. The directory must start empty, or a restart would carry old counts on.
_METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def on_starting(server: object) -> None:
    """Empty the metrics directory before the first worker starts."""
    if not _METRICS_DIR:
        return
    os.makedirs(_METRICS_DIR, mode=0o700, exist_ok=True)
    for name in os.listdir(_METRICS_DIR):
        if name.endswith(".db"):
            os.remove(os.path.join(_METRICS_DIR, name))


def child_exit(server: object, worker: Any) -> None:
    """A worker that exits (recycled after max_requests, or stopped) leaves its live-gauge
    files behind; prometheus_client removes them. Its counters stay, as they should."""
    if _METRICS_DIR:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
