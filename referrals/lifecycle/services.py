"""Verbs on referrals. Only these functions change a referral's status.

Each one checks the move against ``transitions.TRANSITIONS``, changes the referral, writes
the timeline event and the audit record, raises notifications, and flushes. Views commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import (
    OPEN_STATUSES,
    CancelReason,
    DeclineReason,
    Priority,
    ProgramStatus,
    ReferralStatus,
)
from referrals.extensions import db
from referrals.identifiers import describe, find_identifiers
from referrals.intake.models import Consent, Intake, consent_organizations
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.lifecycle.transitions import BY_ACTION, SIDE_ROLES, TRANSITIONS, Side, Transition
from referrals.programs.models import Program


class ReferralError(ValueError):
    """A referral action that cannot happen now; the message says why."""


class ConsentRequired(ReferralError):
    """Sending needs an active consent that covers the receiving organization."""


class ReferralConflict(Exception):
    """Someone else changed the referral since this user loaded it."""


PENDING = frozenset({ReferralStatus.DRAFT, *OPEN_STATUSES})
# Recorded only by the system (consent ended, nobody answered), never chosen by a person.
SYSTEM_CANCEL_REASONS = frozenset(
    {CancelReason.CONSENT_REVOKED, CancelReason.CONSENT_EXPIRED, CancelReason.UNANSWERED}
)


def may_act(user: User, referral: Referral, side: Side) -> bool:
    """Whether the user is on the given side of this referral."""
    if user.role not in SIDE_ROLES[side]:
        return False
    if side is Side.RECEIVER:
        return user.organization_id == referral.receiving_organization_id
    return user.organization_id == referral.sending_organization_id


def available_actions(referral: Referral, user: User) -> list[Transition]:
    """The actions this user may take on this referral now, in table order."""
    return [
        transition
        for transition in TRANSITIONS
        if referral.status in transition.sources and may_act(user, referral, transition.side)
    ]


def consent_covers(intake_id: int, organization_id: int, moment: datetime) -> bool:
    """Whether an active consent of the intake names the organization (one query)."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists()
                .where(
                    Consent.intake_id == intake_id,
                    Consent.revoked_at.is_(None),
                    Consent.given_at <= moment,
                    Consent.expires_at > moment,
                )
                .where(
                    consent_organizations.c.consent_id == Consent.id,
                    consent_organizations.c.organization_id == organization_id,
                )
            )
        )
    )


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
    try:
        with db.session.begin_nested():
            db.session.add(referral)
            db.session.flush()
    except IntegrityError:
        # Two clicks at once: the partial unique index let only the first draft in.
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


def _reason_code(transition: Transition, reason: str | None, note: str) -> str | None:
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
    return code.value


def act(
    referral: Referral,
    action: str,
    *,
    by: User,
    reason: str | None = None,
    note: str = "",
    expected_version: int | None = None,
    priority: Priority | None = None,
) -> ReferralEvent:
    """Take one action of the transition table on a referral."""
    transition = BY_ACTION.get(action)
    if transition is None:
        raise ReferralError(_("Unknown action."))
    if expected_version is not None and expected_version != referral.version:
        raise ReferralConflict
    if not may_act(by, referral, transition.side):
        raise PermissionError(f"{by.role.value} may not {action} this referral")
    if referral.status not in transition.sources:
        raise ReferralError(
            _(
                "This referral is now “%(status)s”; that action is no longer possible.",
                status=referral.status.label,
            )
        )
    note = _checked_note(note)
    code = _reason_code(transition, reason, note)
    now = utcnow()
    # No flush until the whole change is made: a half-made change would bump the version
    # on its own, outside the conflict handling in _record.
    with db.session.no_autoflush:
        _EFFECTS[action](referral, now=now, code=code, note=note, priority=priority)
    return _record(referral, transition, by=by, code=code, note=note, now=now)


def _record(
    referral: Referral,
    transition: Transition,
    *,
    by: User | None,
    code: str | None,
    note: str,
    now: datetime,
) -> ReferralEvent:
    before = referral.status
    referral.status = transition.target
    event = ReferralEvent(
        referral=referral,
        occurred_at=now,
        actor_id=by.id if by else None,
        kind="status_change",
        from_status=before,
        to_status=transition.target,
        reason=code,
        note=note,
    )
    db.session.add(event)
    try:
        db.session.flush()
    except StaleDataError:
        # The UPDATE matched no row at the version we loaded: someone else acted first.
        raise ReferralConflict from None
    audit.record(
        f"referral.{transition.action}",
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"from": before.value, "to": transition.target.value, "reason": code},
    )
    from referrals.notifications.services import notify_transition

    notify_transition(referral, transition.action, by=by)
    return event


# What each action changes besides the status; the table says whether it may happen.
def _send(
    referral: Referral, *, now: datetime, code: str | None, note: str, priority: Priority | None
) -> None:
    program = referral.program
    receiver = referral.receiving_organization
    if not referral.intake.is_open:
        raise ReferralError(_("This intake is closed. Reopen it before sending a referral."))
    if program.status != ProgramStatus.ACTIVE or not receiver.active or not receiver.receives:
        raise ReferralError(_("This program is not accepting referrals now."))
    if not consent_covers(referral.intake_id, referral.receiving_organization_id, now):
        raise ConsentRequired(
            _(
                "The client's consent does not cover %(org)s. Record consent that names this "
                "organization before sending.",
                org=referral.receiving_organization.name,
            )
        )
    hours = program.response_time_hours or current_app.config["DEFAULT_RESPONSE_HOURS"]
    referral.note = note
    referral.priority = priority or Priority.ROUTINE
    referral.sent_at = now
    referral.response_due_at = now + timedelta(hours=hours)


def _accept(referral: Referral, *, now: datetime, **_: object) -> None:
    referral.accepted_at = now
    referral.responded_at = referral.responded_at or now


def _decline(referral: Referral, *, now: datetime, code: str | None, **_: object) -> None:
    referral.decline_reason = DeclineReason(str(code))
    referral.responded_at = referral.responded_at or now
    referral.closed_at = now
    if referral.decline_reason is DeclineReason.NO_CAPACITY:
        # The partner just told us it is full: the directory and matching should say so too.
        referral.program.capacity_available = 0
        referral.program.capacity_updated_at = now


def _enroll(referral: Referral, *, now: datetime, **_: object) -> None:
    referral.enrolled_at = referral.enrolled_at or now


def _waitlist(referral: Referral, **_: object) -> None:
    return None


def _close_with_outcome(
    referral: Referral, *, now: datetime, code: str | None, **_: object
) -> None:
    from referrals.enums import OutcomeCode

    referral.outcome = OutcomeCode(str(code))
    referral.closed_at = now


def _cancel(referral: Referral, *, now: datetime, code: str | None, **_: object) -> None:
    referral.cancel_reason = CancelReason(str(code))
    referral.closed_at = now


def _enter_in_error(referral: Referral, *, now: datetime, **_: object) -> None:
    referral.closed_at = now


_EFFECTS = {
    "send": _send,
    "accept": _accept,
    "decline": _decline,
    "enroll": _enroll,
    "waitlist": _waitlist,
    "resume": _enroll,
    "complete": _close_with_outcome,
    "fail": _close_with_outcome,
    "cancel": _cancel,
    "enter_in_error": _enter_in_error,
}


def record_view(referral: Referral, *, by: User) -> None:
    """Audit a view; the receiving organization's first view is a read receipt."""
    audit.record("referral.viewed", actor=by, object_type="referral", object_id=referral.public_id)
    if by.organization_id != referral.receiving_organization_id or referral.first_viewed_at:
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
        db.session.add(
            ReferralEvent(
                referral_id=referral.id, occurred_at=now, actor_id=by.id, kind="read_receipt"
            )
        )
        db.session.flush()
        db.session.refresh(referral, ["first_viewed_at"])


def system_cancel(
    referral: Referral, *, reason: CancelReason, now: datetime | None = None
) -> ReferralEvent:
    """Cancel a referral on nobody's behalf (consent ended, left unanswered): no side check."""
    moment = now or utcnow()
    _cancel(referral, now=moment, code=reason.value)
    return _record(referral, BY_ACTION["cancel"], by=None, code=reason.value, note="", now=moment)


def cancel_uncovered(
    intake: Intake, *, reason: CancelReason, by: User | None, now: datetime | None = None
) -> list[Referral]:
    """Cancel the intake's open referrals to organizations no active consent covers any more."""
    moment = now or utcnow()
    open_referrals: Sequence[Referral] = db.session.scalars(
        sa.select(Referral).where(
            Referral.intake_id == intake.id, Referral.status.in_(OPEN_STATUSES)
        )
    ).all()
    cancelled = []
    transition = BY_ACTION["cancel"]
    for referral in open_referrals:
        if consent_covers(intake.id, referral.receiving_organization_id, moment):
            continue
        _cancel(referral, now=moment, code=reason.value)
        _record(referral, transition, by=by, code=reason.value, note="", now=moment)
        cancelled.append(referral)
    return cancelled
