"""Checking the audit trail: every HMAC, every link, sequences 1, 2, 3… without a gap.

The chain is read in keyset batches on ``sequence`` (one indexed range scan per batch),
so millions of events are checked with one batch in memory at a time.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from referrals.audit.models import AuditEvent
from referrals.audit.services import GENESIS_HASH, event_digest
from referrals.extensions import db

BATCH_SIZE = 5000
# A pinned hash may be shortened, but not so far that guessing one becomes easy.
MIN_PINNED_HASH = 12


class StoredEvent(NamedTuple):
    """One event's columns as stored (what the HMAC covers, plus id and hash)."""

    id: int
    sequence: int
    occurred_at: datetime
    actor_id: int | None
    actor_organization_id: int | None
    action: str
    object_type: str
    object_id: str
    remote_addr: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


_COLUMNS = [getattr(AuditEvent, name) for name in StoredEvent._fields]


@dataclass(frozen=True)
class HeadPin:
    """An earlier run's head: the chain must still reach it (and, given a hash, hold it)."""

    sequence: int
    hash: str | None = None


def parse_head_pin(text: str) -> HeadPin:
    """``SEQUENCE`` or ``SEQUENCE:HASH`` (a hash prefix of 12+ hex digits will do)."""
    number, _, digest = text.strip().partition(":")
    if not number.isdigit() or not 0 < int(number) < 2**63:
        raise ValueError("give the head as SEQUENCE or SEQUENCE:HASH, e.g. 1234 or 1234:9f2c…")
    digest = digest.strip().lower().rstrip("…")
    if digest and (len(digest) < MIN_PINNED_HASH or len(digest) > 64 or not _is_hex(digest)):
        raise ValueError(f"the pinned hash must be {MIN_PINNED_HASH} to 64 hexadecimal digits")
    return HeadPin(int(number), digest or None)


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)


@dataclass(frozen=True)
class Problem:
    """The first broken link: where, and what is wrong, as a code and in words."""

    code: str
    message: str
    sequence: int | None = None
    event_id: int | None = None

    def describe(self) -> str:
        where = []
        if self.sequence is not None:
            where.append(f"sequence {self.sequence}")
        if self.event_id is not None:
            where.append(f"id {self.event_id}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class VerifyResult:
    """How many events were checked, the head, and the first problem (None: intact)."""

    count: int
    head_sequence: int | None
    head_hash: str | None
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def stored_events(batch_size: int = BATCH_SIZE) -> Iterator[StoredEvent]:
    """Every event in sequence order, fetched one keyset batch at a time."""
    after: int | None = None
    while True:
        stmt = sa.select(*_COLUMNS).order_by(AuditEvent.sequence).limit(batch_size)
        if after is not None:
            stmt = stmt.where(AuditEvent.sequence > after)
        batch = [StoredEvent(*row) for row in db.session.execute(stmt)]
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].sequence


def _sequence_holding(digest: str) -> int | None:
    """Which sequence carries this hash (looked up only once a link is already broken)."""
    return db.session.scalar(
        sa.select(AuditEvent.sequence).where(AuditEvent.hash == digest).limit(1)
    )


def _check_event(
    event: StoredEvent, *, expected_sequence: int, prev_hash: str, key: bytes
) -> Problem | None:
    """What is wrong with one event, given the one before it (None: nothing)."""

    def problem(code: str, message: str) -> Problem:
        return Problem(code, message, sequence=event.sequence, event_id=event.id)

    if event.sequence < expected_sequence:
        # Sequences are unique and read in order, so only a forged or duplicated one lands here.
        return problem(
            "bad_sequence",
            f"unexpected sequence {event.sequence} where {expected_sequence} was expected "
            "(forged or duplicated)",
        )
    if event.sequence > expected_sequence:
        last = event.sequence - 1
        span = (
            str(expected_sequence) if last == expected_sequence else f"{expected_sequence}–{last}"
        )
        return problem("missing", f"missing sequence(s) {span} before this event")
    if not hmac.compare_digest(event.prev_hash, prev_hash):
        linked_to = _sequence_holding(event.prev_hash)
        if linked_to is not None and linked_to != event.sequence - 1:
            return problem(
                "out_of_order",
                f"out of order: this event was chained after sequence {linked_to}, "
                f"not {event.sequence - 1}",
            )
        return problem("link_broken", "link to previous event broken")
    if not hmac.compare_digest(event.hash, event_digest(key, event)):
        return problem("content_changed", "content changed (its HMAC does not match)")
    return None


def _check_pin(pin: HeadPin, seen: StoredEvent | None, head: StoredEvent | None) -> Problem | None:
    """The pinned head must still be there, with the pinned hash."""
    if seen is None:
        last = head.sequence if head else 0
        return Problem(
            "head_missing",
            f"the chain ends at sequence {last} but an earlier run saw sequence "
            f"{pin.sequence}: events at the end were deleted",
        )
    if pin.hash is not None and not seen.hash.startswith(pin.hash):
        return Problem(
            "head_changed",
            f"its hash {seen.hash[:16]}… is not the pinned {pin.hash[:16]}…",
            sequence=seen.sequence,
            event_id=seen.id,
        )
    return None


def verify_chain(
    *, key: bytes, expect_head: HeadPin | None = None, batch_size: int = BATCH_SIZE
) -> VerifyResult:
    """Walk the whole chain and stop at the first broken link."""
    count = 0
    head: StoredEvent | None = None
    pinned: StoredEvent | None = None
    for event in stored_events(batch_size):
        problem = _check_event(
            event,
            expected_sequence=head.sequence + 1 if head else 1,
            prev_hash=head.hash if head else GENESIS_HASH,
            key=key,
        )
        if problem is not None:
            return VerifyResult(count, _seq(head), _hash(head), problem)
        count += 1
        head = event
        if expect_head is not None and event.sequence == expect_head.sequence:
            pinned = event
    if expect_head is not None:
        problem = _check_pin(expect_head, pinned, head)
        if problem is not None:
            return VerifyResult(count, _seq(head), _hash(head), problem)
    return VerifyResult(count, _seq(head), _hash(head), None)


def _seq(event: StoredEvent | None) -> int | None:
    return event.sequence if event else None


def _hash(event: StoredEvent | None) -> str | None:
    return event.hash if event else None
