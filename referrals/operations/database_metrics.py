"""The metrics the database knows, read at each scrape: the e-mail outbox and the sweep.

Read, not counted in a process, so every app server reports the same figures and the
short-lived ``flask sweep`` process needs no metrics of its own. Two statements per scrape,
both on small sets: the unsent notifications (a partial index) and one row per sweep step.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy.exc import SQLAlchemyError

from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.lifecycle import sweep_runs
from referrals.lifecycle.models import Notification
from referrals.lifecycle.sweep import STEPS


class DatabaseCollector:
    """A prometheus_client collector: ``collect`` runs inside the /metrics request."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "referrals_database_up", "Whether the database answered this scrape (1) or not (0)."
        )
        try:
            families = [*outbox_families(), *sweep_families(sweep_runs.totals())]
        except SQLAlchemyError:
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def outbox_families() -> Iterator[Metric]:
    """Notifications still to be e-mailed to active staff, and how long the oldest waited."""
    unsent = (
        sa.select(sa.func.count(), sa.func.min(Notification.created_at))
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
    )
    depth, oldest = db.session.execute(unsent).one()
    yield GaugeMetricFamily(
        "referrals_outbox_depth", "Notifications still to be e-mailed.", value=int(depth)
    )
    age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    yield GaugeMetricFamily(
        "referrals_outbox_oldest_age_seconds",
        "How long the oldest notification still to be e-mailed has waited (0: none waits).",
        value=age,
    )


def sweep_families(totals: dict[str, tuple[int, datetime]]) -> Iterator[Metric]:
    """Every step's total (0 before it first acts), the runs, and when the last one ended."""
    done = CounterMetricFamily(
        "referrals_sweep_actions",
        "What flask sweep has done since the installation began, by step.",
        labels=["step"],
    )
    for name, _step in STEPS:
        done.add_metric([name], totals[name][0] if name in totals else 0)
    yield done
    runs = totals.get(sweep_runs.RUNS)
    yield CounterMetricFamily(
        "referrals_sweep_runs", "Sweeps finished.", value=runs[0] if runs else 0
    )
    yield GaugeMetricFamily(
        "referrals_sweep_last_run_timestamp_seconds",
        "When the last sweep finished (Unix time; 0: never).",
        value=runs[1].timestamp() if runs else 0.0,
    )
