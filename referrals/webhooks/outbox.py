"""Events into the outbox, in the transaction of the move that caused them.

A move (lifecycle/services._move) calls ``enqueue_move``: one delivery row per active
endpoint of each side, flushed with the move and committed (or rolled back) with it, so an
event is sent exactly when its change happened. The body carries ids and types only; the
receiver reads the referral through the API, where access.py decides what it sees.
"""

from __future__ import annotations

import json
import secrets

import sqlalchemy as sa

from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.lifecycle.models import Referral
from referrals.lifecycle.transitions import Transition
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint

RECEIVED = "referral.received"
UPDATED = "referral.updated"
MESSAGE_CREATED = "message.created"


def _body(event_type: str, message_id: str, data: dict[str, object]) -> str:
    return json.dumps(
        {
            "id": message_id,
            "type": event_type,
            "timestamp": utcnow().isoformat(timespec="seconds"),
            "data": data,
        },
        separators=(",", ":"),
    )


def enqueue_move(referral: Referral, transition: Transition) -> list[WebhookDelivery]:
    """Queue the move's event for every active endpoint of the two organizations."""
    events = {referral.sending_organization_id: UPDATED}
    # A draft never reached the receiver: it hears of the referral from its sending on.
    if referral.sent_at is not None:
        sent_now = transition.action == "send"
        events[referral.receiving_organization_id] = RECEIVED if sent_now else UPDATED
    return _enqueue(events, {"referral_id": referral.public_id})


def enqueue_message(referral: Referral, message_id: int) -> list[WebhookDelivery]:
    """A message on a referral's thread: both organizations hear of it (ids only)."""
    event = MESSAGE_CREATED
    events = {referral.sending_organization_id: event, referral.receiving_organization_id: event}
    return _enqueue(events, {"referral_id": referral.public_id, "message_id": message_id})


def _enqueue(events: dict[int, str], data: dict[str, object]) -> list[WebhookDelivery]:
    """One delivery row per active endpoint of each organization in ``events``."""
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint)
        .where(WebhookEndpoint.organization_id.in_(events), WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    deliveries = []
    for endpoint in endpoints:
        message_id = f"msg_{secrets.token_urlsafe(18)}"
        event_type = events[endpoint.organization_id]
        deliveries.append(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                message_id=message_id,
                event_type=event_type,
                body=_body(event_type, message_id, data),
            )
        )
    db.session.add_all(deliveries)
    return deliveries
