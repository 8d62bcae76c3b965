"""Working together on a referral: the thread between the two organizations, who works it on
each side, and forwarding it to another program of the receiving organization.

The caller loaded the referral through ``access.referral_for``, so the user may see it; these
verbs check that they are on the side that may act, write the timeline and the audit trail,
notify the other side, and flush. Views commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from referrals import access
from referrals.audit import services as audit
from referrals.auth.models import User
from referrals.db_types import utcnow
from referrals.enums import NotificationKind, ProgramStatus, ReferralStatus
from referrals.errors import InvalidInput, NotAllowed
from referrals.extensions import db
from referrals.identifiers import describe, find_identifiers
from referrals.intake.models import Intake
from referrals.lifecycle.models import Notification, Referral, ReferralEvent, ReferralMessage
from referrals.lifecycle.services import PENDING, ReferralConflict
from referrals.lifecycle.transitions import Side
from referrals.programs.models import Program
from referrals.webhooks.outbox import enqueue_message

MESSAGE_MAX_LENGTH = 2000
_ASSIGNEE_COLUMN = {Side.SENDER: "sender_assignee_id", Side.RECEIVER: "receiver_assignee_id"}


def side_of(user: User, referral: Referral) -> Side | None:
    """The side of the referral the user works on (the sender's, when on both)."""
    for side in (Side.SENDER, Side.RECEIVER):
        if access.on_side(user, referral, side):
            return side
    return None


def _other(side: Side) -> Side:
    return Side.RECEIVER if side is Side.SENDER else Side.SENDER


def _notify(
    referral: Referral,
    side: Side,
    kind: NotificationKind,
    *,
    skip: User,
    action: str | None = None,
) -> None:
    """The side's assignee, or, while nobody is assigned, every one of its staff."""
    assignee = getattr(referral, _ASSIGNEE_COLUMN[side])
    who = User.id == assignee if assignee is not None else access.side_staff(referral, side)
    recipients = db.session.scalars(
        sa.select(User.id).where(who, User.active.is_(True), User.id != skip.id).order_by(User.id)
    )
    db.session.add_all(
        Notification(recipient_id=ident, referral_id=referral.id, kind=kind, action=action)
        for ident in recipients
    )


def post_message(referral: Referral, *, by: User, body: str) -> ReferralMessage:
    """Add a message to the referral's thread and tell the other side."""
    side = side_of(by, referral)
    if side is None:
        raise NotAllowed(f"user {by.id} is on neither side of referral {referral.id}")
    if referral.status == ReferralStatus.DRAFT:
        raise InvalidInput(_("Send the referral first: the partner cannot see a draft."))
    text = (body or "").strip()
    if not text:
        raise InvalidInput(_("Write a message first."))
    if len(text) > MESSAGE_MAX_LENGTH:
        raise InvalidInput(_("Keep a message under %(n)d characters.", n=MESSAGE_MAX_LENGTH))
    findings = find_identifiers(text)
    if findings:
        raise InvalidInput(describe(findings))
    message = ReferralMessage(
        referral_id=referral.id, author_id=by.id, organization_id=by.organization_id, body=text
    )
    db.session.add(message)
    db.session.flush()
    audit.record(
        "referral.message_posted",
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"message_id": message.id, "side": side.value},
    )
    _notify(referral, _other(side), NotificationKind.MESSAGE, skip=by)
    enqueue_message(referral, message.id)
    db.session.flush()
    return message


def assignable_staff(referral: Referral, side: Side) -> list[User]:
    """The side's active staff, whom a referral may be assigned to, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(access.side_staff(referral, side), User.active.is_(True))
            .order_by(User.display_name, User.id)
        )
    )


def assign(referral: Referral, *, by: User, assignee_id: int | None) -> None:
    """Give the referral to one of the user's own side's staff (None: to nobody)."""
    side = side_of(by, referral)
    if side is None:
        raise NotAllowed(f"user {by.id} is on neither side of referral {referral.id}")
    if assignee_id is not None and assignee_id not in {
        user.id for user in assignable_staff(referral, side)
    }:
        raise InvalidInput(_("Choose someone from your organization's list."))
    column = _ASSIGNEE_COLUMN[side]
    if getattr(referral, column) == assignee_id:
        return
    # A plain UPDATE: who works a referral is not a change of its state, so it must not turn
    # the other side's next action into a conflict (the version stays).
    db.session.execute(
        sa.update(Referral)
        .where(Referral.id == referral.id)
        .values({column: assignee_id})
        .execution_options(synchronize_session=False)
    )
    db.session.expire(referral, [column, f"{side.value}_assignee"])
    db.session.add(
        ReferralEvent(
            referral_id=referral.id,
            occurred_at=utcnow(),
            actor_id=by.id,
            kind="assigned",
            reason=side.value,
            note="",
        )
    )
    audit.record(
        "referral.assigned",
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"side": side.value, "assignee_id": assignee_id},
    )
    if assignee_id is not None and assignee_id != by.id:
        db.session.add(
            Notification(
                recipient_id=assignee_id, referral_id=referral.id, kind=NotificationKind.ASSIGNED
            )
        )
    db.session.flush()


def intake_staff(by: User) -> list[User]:
    """Who may carry the organization's intakes: its active caseworkers and supervisors."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organization_id == by.organization_id,
                User.role.in_(access.INTAKE_ROLES),
                User.active.is_(True),
                User.awaiting_confirmation_since.is_(None),
            )
            .order_by(User.display_name, User.id)
        )
    )


def assign_intake(intake: Intake, *, by: User, assignee_id: int) -> None:
    """Give the intake to another caseworker or supervisor of its organization."""
    staff = next((user for user in intake_staff(by) if user.id == assignee_id), None)
    if staff is None:
        raise InvalidInput(_("Choose someone from your organization's list."))
    if intake.assignee_id == staff.id:
        return
    intake.assignee_id = staff.id
    audit.record(
        "intake.assigned",
        actor=by,
        object_type="intake",
        object_id=intake.id,
        detail={"assignee_id": staff.id},
    )
    db.session.flush()


def unassign_everywhere(user: User) -> None:
    """A deactivated or moved account works nothing any more: its referrals and intakes go
    back to their organization until someone takes them."""
    for column in (Referral.sender_assignee_id, Referral.receiver_assignee_id):
        db.session.execute(
            sa.update(Referral)
            .where(column == user.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        sa.update(Intake)
        .where(Intake.assignee_id == user.id)
        .values(assignee_id=None)
        .execution_options(synchronize_session=False)
    )


def forward(
    referral: Referral, *, by: User, program_id: int, note: str, expected_version: int
) -> None:
    """The receiver routes a requested referral to another of its own programs (consent
    names the organization, so it still covers the referral)."""
    if not access.on_side(by, referral, Side.RECEIVER):
        raise NotAllowed(f"user {by.id} does not receive referral {referral.id}")
    if expected_version != referral.version:
        raise ReferralConflict
    if referral.status != ReferralStatus.REQUESTED:
        raise InvalidInput(_("Only a referral waiting for an answer can be forwarded."))
    program = db.session.get(Program, program_id)
    if (
        program is None
        or program.organization_id != referral.receiving_organization_id
        or program.status != ProgramStatus.ACTIVE
        or program.id == referral.program_id
    ):
        raise InvalidInput(_("Choose one of your organization's other programs."))
    taken = sa.select(Referral.id).where(
        Referral.intake_id == referral.intake_id,
        Referral.program_id == program.id,
        Referral.status.in_(PENDING),
    )
    if db.session.scalar(sa.select(taken.exists())):
        raise InvalidInput(_("This client already has an open referral to that program."))
    text = (note or "").strip()
    findings = find_identifiers(text)
    if findings:
        raise InvalidInput(describe(findings))
    before = referral.program_id
    referral.program = program
    db.session.add(
        ReferralEvent(
            referral=referral,
            occurred_at=utcnow(),
            actor_id=by.id,
            kind="forwarded",
            from_status=referral.status,
            to_status=referral.status,
            note=text,
        )
    )
    try:
        db.session.flush()
    except StaleDataError:
        raise ReferralConflict from None
    audit.record(
        "referral.forwarded",
        actor=by,
        object_type="referral",
        object_id=referral.public_id,
        detail={"from_program_id": before, "to_program_id": program.id},
    )
    _notify(referral, Side.SENDER, NotificationKind.STATUS_CHANGE, skip=by, action="forward")
    db.session.flush()
