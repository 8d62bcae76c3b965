"""Webhooks: an organization's HTTPS endpoints, and the outbox that is also the delivery log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import UtcDateTime, utcnow
from referrals.extensions import Model


class WebhookEndpoint(Model):
    """Where an organization's system hears of its referrals' events (ids and types only)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    url: Mapped[str] = mapped_column(sa.String(500))
    # The Standard Webhooks signing secret ("whsec_..."): shown once; needed to sign, so kept.
    secret: Mapped[str] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(default=True)
    # Failed attempts in a row; at WEBHOOK_DISABLE_AFTER the endpoint is switched off.
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebhookDelivery(Model):
    """One event for one endpoint: written with the state change (the outbox), sent by the
    sweep with retries and backoff, and kept as the organization's delivery log."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The sweep's queue: pending deliveries due now, oldest first.
        sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id"), index=True)
    # The webhook-id header: the same on every retry, so a receiver can drop duplicates.
    message_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str] = mapped_column(sa.String(200), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
