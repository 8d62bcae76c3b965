"""Sending the outbox: the sweep's webhook step, with retries, backoff and switching off.

Each delivery is a POST of its body, signed the Standard Webhooks way (standardwebhooks:
HMAC-SHA256 over "id.timestamp.body", in webhook-id, webhook-timestamp and
webhook-signature). A 2xx answer delivers it; anything else (or no answer) tries again
after 1, 2, 4, ... minutes (capped), until WEBHOOK_MAX_ATTEMPTS. An endpoint that failed
WEBHOOK_DISABLE_AFTER times in a row is switched off and its organization's supervisors
are told.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
import sqlalchemy as sa
from flask import current_app
from standardwebhooks.webhooks import Webhook

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, Role
from referrals.extensions import db
from referrals.lifecycle.models import Notification
from referrals.webhooks import urls
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
BATCH = 100
MAX_DELAY = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: doubling, capped."""
    base = timedelta(seconds=int(current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]))
    return min(base * 2 ** max(attempts - 1, 0), MAX_DELAY)


def _due(now: datetime) -> sa.Select[WebhookDelivery]:
    return (
        sa.select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
    )


def due_count(now: datetime) -> int:
    """For a dry run: how many deliveries the step would try."""
    return min(
        int(db.session.scalar(sa.select(sa.func.count()).select_from(_due(now).subquery())) or 0),
        BATCH,
    )


def deliver_due(now: datetime) -> int:
    """Try every delivery that is due; returns how many were delivered (the caller commits)."""
    # PostgreSQL: two sweeps at once take different rows; SQLite ignores this.
    rows = db.session.scalars(
        _due(now).limit(BATCH).with_for_update(of=WebhookDelivery, skip_locked=True)
    ).all()
    return sum(_attempt(delivery, now) for delivery in rows)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; its status code (None: no answer) and what went wrong."""
    endpoint = delivery.endpoint
    refused = urls.problem(endpoint.url)
    if refused is not None:
        return None, refused
    sent_at = utcnow()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "KC-Coalition-Referrals-Webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(
            delivery.message_id, sent_at, delivery.body
        ),
    }
    timeout = float(current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
    try:
        response = requests.post(
            endpoint.url,
            data=delivery.body.encode(),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, type(error).__name__
    return response.status_code, "" if response.ok else f"HTTP {response.status_code}"


def _attempt(delivery: WebhookDelivery, now: datetime) -> bool:
    status_code, error = _post(delivery)
    endpoint = delivery.endpoint
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    delivery.last_status_code = status_code
    delivery.last_error = error[:200]
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = "delivered"
        delivery.delivered_at = delivery.last_attempt_at
        endpoint.consecutive_failures = 0
        return True
    log.warning("webhook delivery %s to endpoint %s failed: %s", delivery.id, endpoint.id, error)
    if delivery.attempts >= int(current_app.config["WEBHOOK_MAX_ATTEMPTS"]):
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    endpoint.consecutive_failures += 1
    if endpoint.active and endpoint.consecutive_failures >= int(
        current_app.config["WEBHOOK_DISABLE_AFTER"]
    ):
        disable_failing(endpoint, now)
    return False


def disable_failing(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Switch off an endpoint that keeps failing, and tell its organization's supervisors."""
    endpoint.active = False
    endpoint.disabled_at = now
    supervisors = db.session.scalars(
        sa.select(User.id).where(
            User.organization_id == endpoint.organization_id,
            User.role == Role.SUPERVISOR,
            User.active.is_(True),
            User.awaiting_confirmation_since.is_(None),
        )
    )
    db.session.add_all(
        Notification(recipient_id=ident, kind=NotificationKind.WEBHOOK_DISABLED)
        for ident in supervisors
    )
    audit.record(
        "webhook.disabled",
        object_type="webhook_endpoint",
        object_id=endpoint.id,
        organization_id=endpoint.organization_id,
        detail={"failures": endpoint.consecutive_failures},
    )
