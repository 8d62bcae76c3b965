"""The referral lifecycle as data (DESIGN §4): one row per action a user can take.

Nothing else decides whether a status may change or what a move does: each row names its
effects (timestamps, reasons kept, capacity) and whom it notifies; services apply a row,
access.py derives who may take it, and the tests walk this table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from referrals.enums import (
    OPEN_STATUSES,
    CancelReason,
    CodedEnum,
    DeclineReason,
    HoldReason,
    NotificationKind,
    OutcomeCode,
    ReferralStatus,
    Role,
)
from referrals.lifecycle.effects import (
    Effect,
    Forget,
    KeepReason,
    KeepSuggestion,
    KeepUntil,
    Notify,
    Party,
    ProgramFullWhen,
    Stamp,
    StartResponseClock,
)

S = ReferralStatus


class Side(enum.Enum):
    """Who, relative to a referral, may take an action."""

    SENDER = "sender"  # caseworkers and supervisors of the sending organization
    RECEIVER = "receiver"  # partner staff and supervisors of the receiving organization
    SENDER_SUPERVISOR = "sender_supervisor"  # supervisors of the sending organization
    SYSTEM = "system"  # the sweep and consent revocation, on nobody's behalf


SIDE_ROLES: dict[Side, frozenset[Role]] = {
    Side.SENDER: frozenset({Role.CASEWORKER, Role.SUPERVISOR}),
    Side.RECEIVER: frozenset({Role.PARTNER, Role.SUPERVISOR}),
    Side.SENDER_SUPERVISOR: frozenset({Role.SUPERVISOR}),
    Side.SYSTEM: frozenset(),
}


@dataclass(frozen=True)
class Transition:
    """One move of the lifecycle: from which statuses, to which, by whom, and its effects."""

    action: str
    sources: frozenset[ReferralStatus]
    target: ReferralStatus
    side: Side
    label: object
    reasons: type[CodedEnum] | None = None  # a coded reason is then required
    # The action cannot be undone: the page asks for confirmation before it is taken.
    irreversible: bool = False
    # Sending: the receiver must take referrals and the client's consent must cover it.
    needs_consent: bool = False
    # The form also asks for a date (on hold until) or a suggested program (declining).
    takes_until: bool = False
    takes_suggestion: bool = False
    effects: tuple[Effect, ...] = ()
    notify: Notify | None = None
    # The audit action (``referral.<audit>``); the action's own name unless given.
    audit: str = ""

    @property
    def audit_action(self) -> str:
        return f"referral.{self.audit or self.action}"


CANCELLABLE = frozenset({S.DRAFT, *OPEN_STATUSES})
_CLOSED = Stamp("closed_at")
_ANSWERED = Stamp("responded_at", first=True)
_ENROLLED = Stamp("enrolled_at", first=True)
_TELL_SENDER = Notify(Party.SENDER, NotificationKind.STATUS_CHANGE)
_DECISION = Notify(Party.SENDER, NotificationKind.DECISION)
_WITHDRAWN = Notify(Party.RECEIVING_STAFF, NotificationKind.CANCELLED, only_if_sent=True)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "send",
        frozenset({S.DRAFT}),
        S.REQUESTED,
        Side.SENDER,
        _l("Send referral"),
        needs_consent=True,
        effects=(Stamp("sent_at"), StartResponseClock()),
        notify=Notify(Party.RECEIVING_STAFF, NotificationKind.NEW_REFERRAL),
    ),
    Transition(
        "accept",
        frozenset({S.REQUESTED}),
        S.ACCEPTED,
        Side.RECEIVER,
        _l("Accept"),
        effects=(Stamp("accepted_at"), _ANSWERED),
        notify=_DECISION,
    ),
    Transition(
        "decline",
        frozenset({S.REQUESTED}),
        S.REJECTED,
        Side.RECEIVER,
        _l("Decline"),
        reasons=DeclineReason,
        irreversible=True,
        # Declining hands the referral back to the sender, with a program that may fit.
        takes_suggestion=True,
        effects=(
            KeepReason("decline_reason"),
            KeepSuggestion(),
            _ANSWERED,
            _CLOSED,
            # The partner just told us it is full: the directory and matching should say so.
            ProgramFullWhen(DeclineReason.NO_CAPACITY),
        ),
        notify=_DECISION,
    ),
    Transition(
        "enroll",
        frozenset({S.ACCEPTED}),
        S.IN_PROGRESS,
        Side.RECEIVER,
        _l("Enroll"),
        effects=(_ENROLLED,),
        notify=_TELL_SENDER,
    ),
    Transition(
        "waitlist",
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        S.ON_HOLD,
        Side.RECEIVER,
        _l("Waitlist / pause"),
        reasons=HoldReason,
        takes_until=True,
        effects=(KeepReason("hold_reason"), KeepUntil()),
        notify=_TELL_SENDER,
    ),
    Transition(
        "resume",
        frozenset({S.ON_HOLD}),
        S.IN_PROGRESS,
        Side.RECEIVER,
        _l("Resume"),
        effects=(_ENROLLED, Forget(("hold_reason", "hold_until"))),
        notify=_TELL_SENDER,
    ),
    Transition(
        "complete",
        frozenset({S.IN_PROGRESS}),
        S.COMPLETED,
        Side.RECEIVER,
        _l("Complete"),
        reasons=OutcomeCode,
        irreversible=True,
        effects=(KeepReason("outcome"), _CLOSED),
        notify=_TELL_SENDER,
    ),
    Transition(
        "fail",
        frozenset({S.IN_PROGRESS}),
        S.FAILED,
        Side.RECEIVER,
        _l("Close as not completed"),
        reasons=OutcomeCode,
        irreversible=True,
        effects=(KeepReason("outcome"), _CLOSED),
        notify=_TELL_SENDER,
    ),
    Transition(
        "cancel",
        CANCELLABLE,
        S.CANCELLED,
        Side.SENDER,
        _l("Cancel referral"),
        reasons=CancelReason,
        irreversible=True,
        effects=(KeepReason("cancel_reason"), _CLOSED),
        notify=_WITHDRAWN,
    ),
    # The receiver may cancel too once it has taken the referral on (FHIR's Task lets the
    # owner cancel): the client moved away, stopped coming before enrolment, and so on.
    Transition(
        "cancel",
        frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD}),
        S.CANCELLED,
        Side.RECEIVER,
        _l("Cancel referral"),
        reasons=CancelReason,
        irreversible=True,
        effects=(KeepReason("cancel_reason"), _CLOSED, Forget(("hold_reason", "hold_until"))),
        notify=_TELL_SENDER,
    ),
    Transition(
        "enter_in_error",
        CANCELLABLE,
        S.ENTERED_IN_ERROR,
        Side.SENDER_SUPERVISOR,
        _l("Mark as entered in error"),
        irreversible=True,
        effects=(_CLOSED,),
        notify=_WITHDRAWN,
    ),
)

# Moves the system makes on nobody's behalf (consent ended, nobody answered). They check
# their starting status like any other move; no person can choose them.
SYSTEM_CANCEL = Transition(
    "system_cancel",
    frozenset(OPEN_STATUSES),
    S.CANCELLED,
    Side.SYSTEM,
    _l("Cancelled by the system"),
    reasons=CancelReason,
    effects=(KeepReason("cancel_reason"), _CLOSED),
    notify=_WITHDRAWN,
    audit="cancel",
)

# An action has one row per side that may take it ("cancel": the sender's and the receiver's).
ROWS: dict[str, tuple[Transition, ...]] = {}
for _row in TRANSITIONS:
    ROWS[_row.action] = (*ROWS.get(_row.action, ()), _row)
# Cancel reasons only the system records, never chosen by a person.
SYSTEM_CANCEL_REASONS = frozenset(
    {CancelReason.CONSENT_REVOKED, CancelReason.CONSENT_EXPIRED, CancelReason.UNANSWERED}
)


def transition_for(action: str) -> Transition | None:
    """The action's first row: its label, reasons and form (the same for every side)."""
    rows = ROWS.get(action)
    return rows[0] if rows else None
