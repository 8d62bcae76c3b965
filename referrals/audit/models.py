"""The tamper-evident audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from referrals.db_types import UtcDateTime, utcnow
from referrals.extensions import Model
from referrals.postgresql import prepared_inserts


class AuditEvent(Model):
    """Who did what to which object, chained to the previous event by an HMAC.

    ``detail`` holds codes and ids only, never client free text.
    """

    __tablename__ = "audit_events"
    # Every view of a referral or an intake writes one (read_only.record_read): prepared.
    __table_args__ = prepared_inserts(
        # The audit page, newest first: a supervisor's organization, one member of staff,
        # or (admins) everything, each walked by (occurred_at, id) for keyset pages.
        sa.Index(
            "ix_audit_events_actor_organization_id_occurred_at",
            "actor_organization_id",
            "occurred_at",
            "id",
        ),
        sa.Index("ix_audit_events_actor_id_occurred_at", "actor_id", "occurred_at", "id"),
        sa.Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
        sa.Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(32), default="")
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
