"""The periodic sweep cron runs: overdue reminders, escalation, expiries, e-mail delivery.

Every step is idempotent. What a step did is written down (a timeline event or a status) and
the step looks for that first, so a second sweep at the same moment changes nothing. Each
step is its own transaction: a failure in a later step never undoes an earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from referrals.access import receiver_covered
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import OPEN_STATUSES, CancelReason, ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle import services, sweep_runs
from referrals.lifecycle.models import Notification, Referral, ReferralEvent
from referrals.notifications.services import (
    deliver_pending_emails,
    notify_escalation,
    notify_overdue,
)
from referrals.retention.services import purge
from referrals.webhooks.delivery import deliver_due, due_count

REMINDER = "reminder"
ESCALATION = "escalation"
EMAIL_BATCH = 200
# Any constant works; it differs from the audit chain's lock, which steps take after this one.
_SWEEP_LOCK_ID = 0x53_57_45_50  # "SWEP"


@dataclass
class SweepReport:
    """How many things each step of one sweep did."""

    reminders: int = 0
    escalations: int = 0
    consent_cancellations: int = 0
    expired_cancellations: int = 0
    emails_sent: int = 0
    webhooks_delivered: int = 0
    intakes_purged: int = 0

    def counts(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def response_period(referral: Referral) -> timedelta:
    """The response time promised when the referral was sent: one overdue period."""
    if referral.sent_at is not None and referral.response_due_at is not None:
        promised = referral.response_due_at - referral.sent_at
        if promised > timedelta(0):
            return promised
    return timedelta(hours=current_app.config["DEFAULT_RESPONSE_HOURS"])


def overdue_period(referral: Referral, now: datetime) -> int:
    """1 during the first period after the due time, 2 during the next, ...; 0 if not due."""
    due = referral.response_due_at
    if due is None or now <= due:
        return 0
    return 1 + (now - due) // response_period(referral)


def escalation_due_at(referral: Referral) -> datetime | None:
    """Two response periods after sending: the sender's supervisors hear of it then."""
    period = response_period(referral)
    if referral.sent_at is not None:
        return referral.sent_at + 2 * period
    if referral.response_due_at is not None:
        return referral.response_due_at + period
    return None


def _overdue(now: datetime) -> sa.Select[Referral]:
    # A referral the consent no longer covers is about to be cancelled (step 3): nobody
    # should be asked to answer it first.
    return (
        sa.select(Referral)
        .where(
            Referral.status == ReferralStatus.REQUESTED,
            Referral.response_due_at < now,
            receiver_covered(now),
        )
        .order_by(Referral.response_due_at, Referral.id)
    )


def send_reminders(now: datetime) -> int:
    """One reminder per overdue referral per overdue period, in a fixed number of queries."""
    last_period = (
        sa.select(sa.func.max(sa.cast(ReferralEvent.reason, sa.Integer)))
        .where(ReferralEvent.referral_id == Referral.id, ReferralEvent.kind == REMINDER)
        .scalar_subquery()
    )
    rows = db.session.execute(_overdue(now).add_columns(last_period)).all()
    sent = 0
    for referral, reminded in rows:
        period = overdue_period(referral, now)
        if reminded is not None and reminded >= period:
            continue
        db.session.add(
            ReferralEvent(
                referral_id=referral.id,
                occurred_at=now,
                actor_id=None,
                kind=REMINDER,
                reason=str(period),
            )
        )
        notify_overdue(referral)
        sent += 1
    return sent


def escalate(now: datetime) -> int:
    """Tell the sender's supervisors, once, about a referral unanswered for two periods."""
    escalated = sa.exists().where(
        ReferralEvent.referral_id == Referral.id, ReferralEvent.kind == ESCALATION
    )
    candidates = db.session.scalars(_overdue(now).where(~escalated)).all()
    count = 0
    for referral in candidates:
        due = escalation_due_at(referral)
        if due is None or now < due:
            continue
        db.session.add(
            ReferralEvent(referral_id=referral.id, occurred_at=now, actor_id=None, kind=ESCALATION)
        )
        notify_escalation(referral)
        count += 1
    return count


def cancel_expired_consent(now: datetime) -> int:
    """Cancel open referrals whose receiving organization no consent covers any more."""
    uncovered = sa.exists().where(
        Referral.intake_id == Intake.id,
        Referral.status.in_(OPEN_STATUSES),
        ~receiver_covered(now),
    )
    intakes: Sequence[Intake] = db.session.scalars(
        sa.select(Intake).where(uncovered).order_by(Intake.id)
    ).all()
    return sum(
        len(
            services.cancel_uncovered(intake, reason=CancelReason.CONSENT_EXPIRED, by=None, now=now)
        )
        for intake in intakes
    )


def cancel_unanswered(now: datetime) -> int:
    """Cancel referrals still unanswered REFERRAL_EXPIRE_DAYS after sending (0: never)."""
    days = int(current_app.config.get("REFERRAL_EXPIRE_DAYS", 0) or 0)
    if days <= 0:
        return 0
    stale = db.session.scalars(
        sa.select(Referral)
        .where(
            Referral.status == ReferralStatus.REQUESTED,
            Referral.sent_at < now - timedelta(days=days),
        )
        .order_by(Referral.id)
        # PostgreSQL: a partner answering right now waits for this step, then is told.
        .with_for_update(of=Referral)
    ).all()
    for referral in stale:
        services.system_cancel(referral, reason=CancelReason.UNANSWERED, now=now)
    return len(stale)


def deliver_emails(now: datetime) -> int:
    """Send the e-mails of notifications not yet e-mailed (one batch per sweep)."""
    return deliver_pending_emails(limit=EMAIL_BATCH)


def pending_emails(now: datetime) -> int:
    """For a dry run: how many e-mails the delivery step would send."""
    # The same rows notifications.services._pending picks: not yet e-mailed, active recipient.
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.emailed_at.is_(None), User.active.is_(True))
    )
    return min(int(waiting or 0), EMAIL_BATCH)


def purge_closed_intakes(now: datetime) -> int:
    """Retention: blank the free text of intakes closed longer than RETENTION_DAYS (0: off)."""
    days = int(current_app.config["RETENTION_DAYS"])
    if days <= 0:
        return 0
    return purge(days=days, now=now, audit_empty_runs=False).counts.intakes


STEPS: tuple[tuple[str, Callable[[datetime], int]], ...] = (
    ("reminders", send_reminders),
    ("escalations", escalate),
    ("consent_cancellations", cancel_expired_consent),
    ("expired_cancellations", cancel_unanswered),
    ("emails_sent", deliver_emails),
    ("webhooks_delivered", deliver_due),
    ("intakes_purged", purge_closed_intakes),
)


DRY_RUN_COUNTS: dict[Callable[[datetime], int], Callable[[datetime], int]] = {
    deliver_emails: pending_emails,
    deliver_due: due_count,
}


def _lock_sweep() -> None:
    """Two overlapping sweeps take turns, so the second finds the first one's work done."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _SWEEP_LOCK_ID})


def sweep(*, now: datetime | None = None, dry_run: bool = False) -> SweepReport:
    """Run every step, committing after each; ``dry_run`` counts, sends nothing, rolls back.

    In a dry run the steps share one transaction, so a later step sees what an earlier one
    would have done (a referral cancelled for consent is not counted again as unanswered).
    """
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValueError("sweep needs a timezone-aware moment")
    report = SweepReport()
    try:
        for name, step in STEPS:
            # An e-mail or a webhook cannot be rolled back: a dry run counts what would go out.
            run = DRY_RUN_COUNTS.get(step, step) if dry_run else step
            _lock_sweep()
            count = run(moment)
            if count:
                audit.record(f"sweep.{name}", detail={"count": count})
            setattr(report, name, count)
            if dry_run:
                db.session.flush()  # later steps see this one's changes; all rolled back below
                continue
            if count:
                sweep_runs.add_to_total(name, count, moment)
            db.session.commit()
        if not dry_run:
            sweep_runs.add_to_total(sweep_runs.RUNS, 1, moment)
            db.session.commit()
    except BaseException:
        db.session.rollback()  # only the failing step: the earlier ones are committed
        raise
    if dry_run:
        db.session.rollback()
    return report
