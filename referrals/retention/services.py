"""Purging the free text of intakes closed longer ago than the retention period.

Only what people typed goes: the intake's situation note, the notes written on its
referrals and their timelines, and the guardian's relationship on its consents. Codes,
dates, statuses and reasons stay, so dashboards keep counting what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from referrals.audit import services as audit
from referrals.db_types import utcnow
from referrals.extensions import db
from referrals.intake.models import Consent, Intake
from referrals.lifecycle.models import Referral, ReferralEvent, ReferralMessage

BATCH_SIZE = 500
# A cut-off further back than this is surely a typo (and would overflow a date).
MAX_DAYS = 100 * 365


class RetentionError(ValueError):
    """A retention period that cannot be right; the message says why."""


@dataclass
class PurgeCounts:
    """What a purge blanked (or, in a dry run, would blank)."""

    intakes: int = 0
    situation_notes: int = 0
    referral_notes: int = 0
    event_notes: int = 0
    messages: int = 0
    consent_details: int = 0


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    counts: PurgeCounts
    dry_run: bool


def cutoff_for(days: int, now: datetime) -> datetime:
    """The moment before which a closed intake is purged."""
    if not 1 <= days <= MAX_DAYS:
        raise RetentionError(f"the retention period must be 1 to {MAX_DAYS} days, not {days}")
    return now - timedelta(days=days)


def _due(cutoff: datetime) -> sa.ColumnElement[bool]:
    """Closed before the cut-off and not purged yet."""
    return sa.and_(
        Intake.is_open.is_(False),
        Intake.closed_at.is_not(None),
        Intake.closed_at < cutoff,
        Intake.purged_at.is_(None),
    )


def _due_batches(cutoff: datetime, *, lock: bool, size: int) -> Iterator[list[int]]:
    """Ids of due intakes, a keyset batch at a time (locked against a concurrent reopen)."""
    after = 0
    while True:
        stmt = (
            sa.select(Intake.id)
            .where(_due(cutoff), Intake.id > after)
            .order_by(Intake.id)
            .limit(size)
        )
        if lock:
            stmt = stmt.with_for_update()
        ids = list(db.session.scalars(stmt))
        if ids:
            yield ids
        if len(ids) < size:
            return
        after = ids[-1]


# Each free-text column: the rows of a batch of intakes that still hold text in it.
_TEXTS: dict[str, tuple[Any, Callable[[Sequence[int]], sa.ColumnElement[bool]]]] = {
    "situation_notes": (
        Intake.situation_note,
        lambda ids: Intake.id.in_(ids),
    ),
    "referral_notes": (
        Referral.note,
        lambda ids: Referral.intake_id.in_(ids),
    ),
    "event_notes": (
        ReferralEvent.note,
        lambda ids: ReferralEvent.referral_id.in_(
            sa.select(Referral.id).where(Referral.intake_id.in_(ids))
        ),
    ),
    "messages": (
        ReferralMessage.body,
        lambda ids: ReferralMessage.referral_id.in_(
            sa.select(Referral.id).where(Referral.intake_id.in_(ids))
        ),
    ),
    "consent_details": (
        Consent.guardian_relationship,
        lambda ids: Consent.intake_id.in_(ids),
    ),
}


def _blank(column: Any, where: sa.ColumnElement[bool], *, dry_run: bool) -> int:
    """Blank one column where it holds text; the count is the same whether or not it runs."""
    condition = sa.and_(where, column != "")
    if dry_run:
        counted = db.session.scalar(
            sa.select(sa.func.count()).select_from(column.class_).where(condition)
        )
        return int(counted or 0)
    result = db.session.execute(
        sa.update(column.class_)
        .where(condition)
        .values({column.key: ""})
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge(
    *,
    days: int,
    dry_run: bool = False,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    audit_empty_runs: bool = True,
) -> PurgeReport:
    """Blank the free text of intakes closed more than ``days`` ago, in this transaction.

    The caller commits (or, for a dry run, rolls back: a dry run writes nothing anyway).
    ``flask purge`` and ``flask sweep`` (with RETENTION_DAYS) both call it.
    A second run finds nothing left to do: purged intakes carry ``purged_at``.
    """
    moment = now or utcnow()
    cutoff = cutoff_for(days, moment)
    counts = PurgeCounts()
    for ids in _due_batches(cutoff, lock=not dry_run, size=batch_size):
        counts.intakes += len(ids)
        for name, (column, scope) in _TEXTS.items():
            blanked = _blank(column, scope(ids), dry_run=dry_run)
            setattr(counts, name, getattr(counts, name) + blanked)
        if not dry_run:
            db.session.execute(
                sa.update(Intake)
                .where(Intake.id.in_(ids))
                .values(purged_at=moment)
                .execution_options(synchronize_session=False)
            )
    # `flask sweep` runs every few minutes: it audits only the runs that purged something.
    if not dry_run and (audit_empty_runs or counts.intakes):
        audit.record(
            "retention.purged",
            object_type="retention",
            detail={"cutoff": cutoff.isoformat(), "days": days, **asdict(counts)},
        )
    return PurgeReport(cutoff=cutoff, counts=counts, dry_run=dry_run)
