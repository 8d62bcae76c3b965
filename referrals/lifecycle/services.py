"""Verbs on referrals. Only these functions change a referral's status.

Each one looks the move up in ``transitions.py``, checks it (who, from which status), applies
the effects its row names, writes the timeline event and the audit record, notifies the
other side as the row says, and flushes. Views commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from referrals import access
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import (
    OPEN_STATUSES,
    CancelReason,
    CodedEnum,
    Priority,
    ProgramStatus,
    ReferralStatus,
)
from referrals.errors import Conflict, InvalidInput, NotAllowed
from referrals.extensions import db
from referrals.identifiers import describe, find_identifiers
from referrals.intake.models import Intake
from referrals.lifecycle.effects import Move
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import (
    SYSTEM_CANCEL,
    SYSTEM_CANCEL_REASONS,
    Transition,
    transition_for,
)
from referrals.localtime import local_date
from referrals.notifications.services import notify_move
from referrals.programs.models import Program
from referrals.webhooks.outbox import enqueue_move


class ReferralError(InvalidInput):
    """A referral action that cannot happen now; the message says why."""


class ConsentRequired(ReferralError):
    """Sending needs an active consent that covers the receiving organization."""


class ReferralConflict(Conflict):
    """Someone else changed the referral since this user loaded it."""


PENDING = frozenset({ReferralStatus.DRAFT, *OPEN_STATUSES})


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    findings = find_identifiers(note)
    if findings:
        raise ReferralError(describe(findings))
    return note


def create_draft(intake: Intake, program: Program, *, by: User) -> Referral:
    """Start a referral of this intake to a program, as a draft only the sender sees."""
    if not intake.is_open:
        raise ReferralError(_("This intake is closed."))
    if program.status != ProgramStatus.ACTIVE or not program.organization.active:
        raise ReferralError(_("This program is not accepting referrals."))
    existing = db.session.scalar(
        sa.select(Referral.public_id).where(
            Referral.intake_id == intake.id,
            Referral.program_id == program.id,
            Referral.status.in_(PENDING),
        )
    )
    if existing is not None:
        raise ReferralError(_("This intake already has an open referral to this program."))
    referral = Referral(
        intake=intake,
        program=program,
        receiving_organization_id=program.organization_id,
        sending_organization_id=intake.organization_id,
        sent_by_id=by.id,
        status=ReferralStatus.DRAFT,
    )
    db.session.add(referral)
    try:
        db.session.flush()
    except IntegrityError:
        # Two clicks at once: the partial unique index let only the first draft in. No
        # savepoint: the caller rolls back on a ReferralError anyway, and on SQLite releasing a
        # savepoint opened before any write committed the draft behind the caller's back.
        raise ReferralError(
            _("This intake already has an open referral to this program.")
        ) from None
    db.session.add(
        ReferralEvent(
            referral=referral, actor_id=by.id, kind="created", to_status=ReferralStatus.DRAFT
        )
    )
    audit.record(
        "referral.drafted",
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"intake_id": intake.id, "program_id": program.id},
    )
    return referral


def draft_program_ids(intake: Intake) -> set[int]:
    """Programs this intake already has a draft or open referral to (one query)."""
    return set(
        db.session.scalars(
            sa.select(Referral.program_id).where(
                Referral.intake_id == intake.id, Referral.status.in_(PENDING)
            )
        )
    )


def _reason_code(transition: Transition, reason: str | None, note: str) -> CodedEnum | None:
    if transition.reasons is None:
        return None
    if not reason:
        raise ReferralError(_("Choose a reason."))
    try:
        code = transition.reasons(reason)
    except ValueError:
        raise ReferralError(_("Choose a reason from the list.")) from None
    if code in SYSTEM_CANCEL_REASONS:
        raise ReferralError(_("Choose a reason from the list."))
    if code.value == "other" and not note:
        raise ReferralError(_("Say in the note why, when the reason is “other”."))
    return code


def act(
    referral: Referral,
    action: str,
    *,
    by: User,
    reason: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    priority: Priority | None = None,
    until: date | None = None,
    suggested_program_id: int | None = None,
) -> ReferralEvent:
    """Take one action of the transition table on a referral."""
    if transition_for(action) is None:
        raise ReferralError(_("Unknown action."))
    if expected_version is not None and expected_version != referral.version:
        raise ReferralConflict
    transition = access.row_for(by, action, referral)
    if transition is None:
        raise NotAllowed(f"{by.role.value} may not {action} this referral")
    _check_source(referral, transition)
    note = _checked_note(note)
    move = Move(
        now=utcnow(),
        reason=_reason_code(transition, reason, note),
        note=note,
        priority=priority,
        until=_checked_until(transition, until),
        suggested_program_id=_checked_suggestion(transition, referral, suggested_program_id),
    )
    return _move(referral, transition, move, by=by)


def _checked_until(transition: Transition, until: date | None) -> date | None:
    if until is None or not transition.takes_until:
        return None
    if until < local_date(utcnow()):
        raise ReferralError(_("The expected date cannot be in the past."))
    return until


def _checked_suggestion(
    transition: Transition, referral: Referral, program_id: int | None
) -> int | None:
    """A program the sender could try instead: active, and not this one."""
    if program_id is None or not transition.takes_suggestion:
        return None
    program = db.session.get(Program, program_id)
    if (
        program is None
        or program.status != ProgramStatus.ACTIVE
        or program.id == referral.program_id
    ):
        raise ReferralError(_("Choose a suggested program from the list."))
    return program.id


def _check_source(referral: Referral, transition: Transition) -> None:
    if referral.status not in transition.sources:
        raise ReferralError(
            _(
                "This referral is now “%(status)s”; that action is no longer possible.",
                status=referral.status.label,
            )
        )


def _check_sendable(referral: Referral, now: datetime) -> None:
    """Sending: an open intake, a program and partner taking referrals, consent covering it."""
    receiver = referral.receiving_organization
    if not referral.intake.is_open:
        raise ReferralError(_("This intake is closed. Reopen it before sending a referral."))
    taking = referral.program.status == ProgramStatus.ACTIVE and receiver.receives
    if not (taking and receiver.active):
        raise ReferralError(_("This program is not accepting referrals now."))
    if not access.is_covered(referral.intake_id, referral.receiving_organization_id, now):
        raise ConsentRequired(
            _(
                "The client's consent does not cover %(org)s. Record consent that names this "
                "organization before sending.",
                org=receiver.name,
            )
        )


def _move(
    referral: Referral, transition: Transition, move: Move, *, by: User | None
) -> ReferralEvent:
    """Make one move: check where it starts, apply its effects, write the timeline and audit
    record, notify the other side, flush."""
    _check_source(referral, transition)
    if transition.needs_consent:
        _check_sendable(referral, move.now)
    # No flush until the whole change is made: a half-made change would bump the version
    # on its own, outside the conflict handling below.
    with db.session.no_autoflush:
        for effect in transition.effects:
            effect.apply(referral, move)
        before = referral.status
        referral.status = transition.target
    code = move.reason.value if move.reason is not None else None
    event = ReferralEvent(
        referral=referral,
        occurred_at=move.now,
        actor_id=by.id if by else None,
        kind="status_change",
        from_status=before,
        to_status=transition.target,
        reason=code,
        note=move.note,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError:
        # The UPDATE matched no row at the version we loaded: someone else acted first.
        raise ReferralConflict from None
    audit.record(
        transition.audit_action,
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"from": before.value, "to": transition.target.value, "reason": code},
    )
    notify_move(referral, transition, by=by)
    # The partner systems' webhooks, in the outbox of this same transaction.
    enqueue_move(referral, transition)
    return event


def record_view(referral: Referral, *, by: User) -> None:
    """Audit a view; the receiving organization's first view is a read receipt."""
    audit.record("referral.viewed", actor=by, object_type="referral", object_id=referral.public_id)
    if not access.is_receiver(by, referral) or referral.first_viewed_at:
        return
    now = utcnow()
    # A plain UPDATE, not the ORM: a read receipt must not bump the version (which would
    # turn the sender's next action into a conflict), and only one first view can win.
    result = db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id, Referral.first_viewed_at.is_(None))
        .values(first_viewed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        receipt = ReferralEvent(
            referral_id=referral.id, occurred_at=now, actor=by, kind="read_receipt"
        )
        db.session.add(receipt)
        db.session.flush()
        # What the page shows, set as loaded (no reload, no change for the ORM to write);
        # the page reads the timeline afterwards, the receipt with it.
        set_committed_value(referral, "first_viewed_at", now)


def system_cancel(
    referral: Referral, *, reason: CancelReason, now: datetime | None = None
) -> ReferralEvent:
    """Cancel a referral on nobody's behalf (consent ended, left unanswered)."""
    return _move(referral, SYSTEM_CANCEL, Move(now=now or utcnow(), reason=reason), by=None)


def cancel_uncovered(
    intake: Intake, *, reason: CancelReason, by: User | None, now: datetime | None = None
) -> list[Referral]:
    """Cancel the intake's open referrals to organizations no active consent covers any more."""
    move = Move(now=now or utcnow(), reason=reason)
    open_referrals: Sequence[Referral] = db.session.scalars(
        sa.select(Referral).where(
            Referral.intake_id == intake.id, Referral.status.in_(OPEN_STATUSES)
        )
    ).all()
    cancelled = []
    for referral in open_referrals:
        if access.is_covered(intake.id, referral.receiving_organization_id, move.now):
            continue
        _move(referral, SYSTEM_CANCEL, move, by=by)
        cancelled.append(referral)
    return cancelled
