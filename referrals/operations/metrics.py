"""Prometheus metrics (prometheus_client, the project's official Python client).

Two kinds. What a worker process sees is counted in the process: request latency per
endpoint, sign-in failures and lockouts. What the database knows is read at each scrape:
the e-mail outbox (depth, oldest age) and the sweep's totals (lifecycle/sweep_runs.py), so
every app server reports the same figures and a ``flask sweep`` process, which lives for a
minute, needs no metrics of its own.

Under gunicorn each worker is a process: with ``PROMETHEUS_MULTIPROC_DIR`` set (by the
systemd unit, never in Python) prometheus_client writes each worker's values to files
there and a scrape adds them up (gunicorn.conf.py empties the directory at start and
tidies after a worker exits). Without it, one process: an in-memory registry per app.

Labels are bounded: the endpoint *name* (never the path: paths hold client codes and
referral ids), a known method, the status code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.registry import Collector

from referrals.operations.request_log import elapsed_seconds

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_EXTENSION = "referrals_metrics"


@dataclass(frozen=True)
class Metrics:
    """The app's metrics; ``registry`` is None in multiprocess mode (each scrape builds one)."""

    registry: CollectorRegistry | None
    request_seconds: Histogram
    requests: Counter
    sign_in_failures: Counter
    lockouts: Counter


def register(app: Flask) -> None:
    """Create the metrics and time every request (cheap: a few microseconds)."""
    registry = None if os.environ.get(MULTIPROCESS_DIR) else CollectorRegistry()
    metrics = Metrics(
        registry=registry,
        request_seconds=Histogram(
            "referrals_request_duration_seconds",
            "Time to answer a request, by endpoint.",
            ["endpoint", "method"],
            registry=registry,
        ),
        requests=Counter(
            "referrals_requests",
            "Requests answered, by endpoint and status.",
            ["endpoint", "method", "status"],
            registry=registry,
        ),
        sign_in_failures=Counter(
            "referrals_sign_in_failures",
            "Wrong passwords or codes, and attempts refused while an address was locked.",
            ["reason"],
            registry=registry,
        ),
        lockouts=Counter(
            "referrals_sign_in_lockouts",
            "Lockouts started (too many failures for one e-mail address).",
            registry=registry,
        ),
    )
    if registry is not None:
        registry.register(_database_collector())
    app.extensions[_EXTENSION] = metrics
    app.after_request(_observe)


def _metrics() -> Metrics:
    return current_app.extensions[_EXTENSION]  # type: ignore[no-any-return]


def _observe(response: Response) -> Response:
    endpoint = request.endpoint or "unmatched"
    method = request.method if request.method in _METHODS else "other"
    metrics = _metrics()
    metrics.request_seconds.labels(endpoint, method).observe(elapsed_seconds())
    metrics.requests.labels(endpoint, method, str(response.status_code)).inc()
    return response


def sign_in_failed(*, locked: bool) -> None:
    """A wrong password or code (``locked``: an attempt refused during a lockout)."""
    _metrics().sign_in_failures.labels("locked" if locked else "wrong").inc()


def lockout_started() -> None:
    _metrics().lockouts.inc()


def exposition_registry() -> CollectorRegistry:
    """What a scrape reports: this app's registry, or every worker's files and the database."""
    metrics = _metrics()
    if metrics.registry is not None:
        return metrics.registry
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_database_collector())
    return registry


def _database_collector() -> Collector:
    # Imported here: it reads the lifecycle, whose imports reach auth/throttle.py, which
    # counts into this module.
    from referrals.operations.database_metrics import DatabaseCollector

    return DatabaseCollector()
