"""The referral lifecycle as data (DESIGN §4): one row per action a user can take.

Nothing else decides whether a status may change: services look the action up here, views
list the actions open to a user from here, and the tests walk this table.
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
    OutcomeCode,
    ReferralStatus,
    Role,
)

S = ReferralStatus


class Side(enum.Enum):
    """Who, relative to a referral, may take an action."""

    SENDER = "sender"  # caseworkers and supervisors of the sending organization
    RECEIVER = "receiver"  # partner staff and supervisors of the receiving organization
    SENDER_SUPERVISOR = "sender_supervisor"  # supervisors of the sending organization


SIDE_ROLES: dict[Side, frozenset[Role]] = {
    Side.SENDER: frozenset({Role.CASEWORKER, Role.SUPERVISOR}),
    Side.RECEIVER: frozenset({Role.PARTNER, Role.SUPERVISOR}),
    Side.SENDER_SUPERVISOR: frozenset({Role.SUPERVISOR}),
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[ReferralStatus]
    target: ReferralStatus
    side: Side
    label: object
    reasons: type[CodedEnum] | None = None  # a coded reason is then required
    # The action cannot be undone: the page asks for confirmation before it is taken.
    irreversible: bool = False


CANCELLABLE = frozenset({S.DRAFT, *OPEN_STATUSES})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("send", frozenset({S.DRAFT}), S.REQUESTED, Side.SENDER, _l("Send referral")),
    Transition("accept", frozenset({S.REQUESTED}), S.ACCEPTED, Side.RECEIVER, _l("Accept")),
    Transition(
        "decline",
        frozenset({S.REQUESTED}),
        S.REJECTED,
        Side.RECEIVER,
        _l("Decline"),
        reasons=DeclineReason,
        irreversible=True,
    ),
    Transition("enroll", frozenset({S.ACCEPTED}), S.IN_PROGRESS, Side.RECEIVER, _l("Enroll")),
    Transition(
        "waitlist",
        frozenset({S.ACCEPTED, S.IN_PROGRESS}),
        S.ON_HOLD,
        Side.RECEIVER,
        _l("Waitlist / pause"),
    ),
    Transition("resume", frozenset({S.ON_HOLD}), S.IN_PROGRESS, Side.RECEIVER, _l("Resume")),
    Transition(
        "complete",
        frozenset({S.IN_PROGRESS}),
        S.COMPLETED,
        Side.RECEIVER,
        _l("Complete"),
        reasons=OutcomeCode,
        irreversible=True,
    ),
    Transition(
        "fail",
        frozenset({S.IN_PROGRESS}),
        S.FAILED,
        Side.RECEIVER,
        _l("Close as not completed"),
        reasons=OutcomeCode,
        irreversible=True,
    ),
    Transition(
        "cancel",
        CANCELLABLE,
        S.CANCELLED,
        Side.SENDER,
        _l("Cancel referral"),
        reasons=CancelReason,
        irreversible=True,
    ),
    Transition(
        "enter_in_error",
        CANCELLABLE,
        S.ENTERED_IN_ERROR,
        Side.SENDER_SUPERVISOR,
        _l("Mark as entered in error"),
        irreversible=True,
    ),
)

BY_ACTION: dict[str, Transition] = {transition.action: transition for transition in TRANSITIONS}


def transition_for(action: str) -> Transition | None:
    return BY_ACTION.get(action)
