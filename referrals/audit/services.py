"""Writing to the audit trail, one HMAC-linked event at a time."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app, has_request_context, request

from referrals.audit.models import AuditEvent
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.postgresql import prepared

GENESIS_HASH = "0" * 64
# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_ID = 0x52_45_46_41  # "REFA"


class ChainedEvent(Protocol):
    """What the HMAC covers: an ``AuditEvent``, or a row of its columns read back."""

    @property
    def sequence(self) -> int: ...
    @property
    def occurred_at(self) -> datetime: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def actor_organization_id(self) -> int | None: ...
    @property
    def action(self) -> str: ...
    @property
    def object_type(self) -> str: ...
    @property
    def object_id(self) -> str: ...
    @property
    def remote_addr(self) -> str: ...
    @property
    def detail(self) -> dict[str, Any]: ...
    @property
    def prev_hash(self) -> str: ...


def event_digest(key: bytes, event: ChainedEvent) -> str:
    """The HMAC of an event's content and the previous link."""
    payload = json.dumps(
        [
            event.sequence,
            event.occurred_at.isoformat(),
            event.actor_id,
            event.actor_organization_id,
            event.action,
            event.object_type,
            event.object_id,
            event.remote_addr,
            event.detail,
            event.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


# Every audited request sends these two: prepared (their plans never change).
_LOCK = prepared(sa.text("SELECT pg_advisory_xact_lock(:id)"))
_LAST_LINK = prepared(
    sa.select(AuditEvent.sequence, AuditEvent.hash)
    .order_by(AuditEvent.sequence.desc())
    .limit(sa.literal_column("1"))
)


def _lock_chain() -> None:
    """Serialize writers so two transactions never extend the chain from the same link."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(_LOCK, {"id": _CHAIN_LOCK_ID})
    elif dialect == "sqlite":
        # SQLite takes its write lock only at a transaction's first write, so two requests
        # could both read the same last link. A write that changes nothing takes the lock
        # now; the other writer waits for our commit and then reads our link.
        db.session.execute(sa.text("UPDATE audit_events SET sequence = sequence WHERE 1 = 0"))


def record(
    action: str,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append an audit event in the current transaction (the caller commits).

    ``organization_id`` files an event without a signed-in actor under an organization, e.g. a
    failed sign-in to one of its accounts, so its supervisors see it on /audit.
    """
    _lock_chain()
    last = db.session.execute(_LAST_LINK).first()
    sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        sequence=sequence,
        occurred_at=utcnow().replace(microsecond=0),
        actor_id=actor.id if authenticated else None,
        actor_organization_id=actor.organization_id if authenticated else organization_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        remote_addr=(request.remote_addr or "") if has_request_context() else "",
        detail=detail or {},
        prev_hash=prev_hash,
    )
    event.hash = event_digest(current_app.config["AUDIT_HMAC_KEY"].encode(), event)
    db.session.add(event)
    db.session.flush()
    return event
