"""Verbs on an organization's webhook endpoints: register (secret shown once), switch off
and on; and the reads of its endpoints and delivery log."""

from __future__ import annotations

import base64
import secrets

import sqlalchemy as sa

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.errors import InvalidInput, NotAllowed, NotFound
from referrals.extensions import db
from referrals.tokens.services import may_hold_tokens
from referrals.webhooks import urls
from referrals.webhooks.models import WebhookDelivery, WebhookEndpoint

LOG_SIZE = 50


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def register(url: str, *, by: User) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for ``by``'s organization; returns it and its secret (shown once)."""
    if not may_hold_tokens(by):  # the same people who may make API tokens
        raise NotAllowed(f"user {by.id} may not register webhooks")
    url = (url or "").strip()
    problem = urls.problem(url)
    if problem is not None:
        raise InvalidInput(problem)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=by.organization_id, created_by_id=by.id, url=url, secret=secret
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record(
        "webhook.registered", actor=by, object_type="webhook_endpoint", object_id=endpoint.id
    )
    return endpoint, secret


def endpoint_for(user: User, endpoint_id: int) -> WebhookEndpoint:
    """One of the user's organization's endpoints (another organization's does not exist)."""
    endpoint = db.session.scalar(
        sa.select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.organization_id == user.organization_id,
        )
    )
    if endpoint is None:
        raise NotFound(endpoint_id)
    return endpoint


def switch(endpoint: WebhookEndpoint, *, on: bool, by: User) -> None:
    """Switch an endpoint off, or on again (its failure count starts over)."""
    if on and not may_hold_tokens(by):
        raise NotAllowed(f"user {by.id} may not switch webhooks on")
    endpoint.active = on
    endpoint.disabled_at = None if on else utcnow()
    endpoint.consecutive_failures = 0
    db.session.flush()
    action = "webhook.enabled" if on else "webhook.switched_off"
    audit.record(action, actor=by, object_type="webhook_endpoint", object_id=endpoint.id)


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            sa.select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == user.organization_id)
            .order_by(WebhookEndpoint.id.desc())
        )
    )


def deliveries_of(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_SIZE)
        )
    )
