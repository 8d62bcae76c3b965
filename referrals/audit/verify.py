"""Checking the audit trail: every HMAC, every link, sequences 1, 2, 3… without a gap.

The chain is read in keyset batches on ``sequence`` (one indexed range scan per batch),
so millions of events are checked with one batch in memory at a time.

After ``AUDIT_HMAC_KEY`` is rotated the chain goes on under the new key: the first event
signed with it links to the last one signed with the old key, and from there on every
event is signed with the new key. ``verify_chain`` is given the old keys, oldest first, and
follows the segments: each event must be signed with the key of the event before it or a
later one, never an earlier one, so an old key that leaked can forge nothing after the
rotation (rewriting the old segment would break the first link made under the new key).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
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


class KeySegment(NamedTuple):
    """Events from ``first_sequence`` on were signed with key number ``key`` (0: oldest)."""

    first_sequence: int
    key: int


@dataclass(frozen=True)
class VerifyResult:
    """How many events were checked, the head, and the first problem (None: intact)."""

    count: int
    head_sequence: int | None
    head_hash: str | None
    problem: Problem | None
    segments: tuple[KeySegment, ...] = ()

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


def _check_link(event: StoredEvent, *, expected_sequence: int, prev_hash: str) -> Problem | None:
    """What is wrong with an event's place in the chain, given the one before it."""

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
    return None


def _signer(event: StoredEvent, keys: Sequence[bytes], first: int) -> int | None:
    """The number of the key in ``keys[first:]`` whose HMAC the event carries, if any."""
    for number in range(first, len(keys)):
        if hmac.compare_digest(event.hash, event_digest(keys[number], event)):
            return number
    return None


def _check_signature(event: StoredEvent, keys: Sequence[bytes], current: int) -> int | Problem:
    """The number of the key that signed the event (the current one or later), or the problem."""
    signer = _signer(event, keys, current)
    if signer is not None:
        return signer
    if _signer(event, keys[:current], 0) is not None:
        message = (
            "signed with an earlier key after a later one: a process still writing with "
            "an old AUDIT_HMAC_KEY, or a forged event"
        )
        return Problem("key_went_back", message, event.sequence, event.id)
    message = "content changed (its HMAC does not match)"
    return Problem("content_changed", message, event.sequence, event.id)


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
    *,
    key: bytes,
    old_keys: Sequence[bytes] = (),
    expect_head: HeadPin | None = None,
    batch_size: int = BATCH_SIZE,
) -> VerifyResult:
    """Walk the whole chain and stop at the first broken link.

    ``key`` is the current AUDIT_HMAC_KEY; ``old_keys`` the ones before it, oldest first.
    """
    keys = [*old_keys, key]
    count, current = 0, 0
    segments: list[KeySegment] = []
    head: StoredEvent | None = None
    pinned: StoredEvent | None = None
    for event in stored_events(batch_size):
        checked = _check_link(
            event,
            expected_sequence=head.sequence + 1 if head else 1,
            prev_hash=head.hash if head else GENESIS_HASH,
        ) or _check_signature(event, keys, current)
        if isinstance(checked, Problem):
            return VerifyResult(count, _seq(head), _hash(head), checked, tuple(segments))
        signer = checked
        if not segments or signer != current:
            segments.append(KeySegment(event.sequence, signer))
        count, current, head = count + 1, signer, event
        if expect_head is not None and event.sequence == expect_head.sequence:
            pinned = event
    problem = _check_pin(expect_head, pinned, head) if expect_head is not None else None
    return VerifyResult(count, _seq(head), _hash(head), problem, tuple(segments))


def _seq(event: StoredEvent | None) -> int | None:
    return event.sequence if event else None


def _hash(event: StoredEvent | None) -> str | None:
    return event.hash if event else None
