"""What a move changes on a referral besides its status: the effects a transition names.

Each effect is a small value in the transition table (transitions.py) with one ``apply``;
services.py applies a row's effects in order and knows nothing about any action by name.

The dashboards' counts (referrals/rollups) are not an effect here: they follow every flush
that changes what a referral counts for, in the same transaction (rollups/upkeep.py), so
that moves, consent changes and rows written outside the lifecycle all keep them in step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from flask import current_app

from referrals.enums import CodedEnum, NotificationKind, Priority

if TYPE_CHECKING:
    from referrals.lifecycle.models import Referral


@dataclass(frozen=True)
class Move:
    """One move being made: its moment and what the person chose."""

    now: datetime
    reason: CodedEnum | None = None
    note: str = ""
    priority: Priority | None = None
    until: date | None = None  # on hold: when the receiver expects to go on
    suggested_program_id: int | None = None  # declined: a program that may fit instead


class Effect(Protocol):
    def apply(self, referral: Referral, move: Move) -> None: ...


@dataclass(frozen=True)
class Stamp:
    """A milestone's time is the moment of the move (``first``: only the first time)."""

    column: str
    first: bool = False

    def apply(self, referral: Referral, move: Move) -> None:
        if not (self.first and getattr(referral, self.column) is not None):
            setattr(referral, self.column, move.now)


@dataclass(frozen=True)
class KeepReason:
    """The coded reason chosen for the move goes into this column."""

    column: str

    def apply(self, referral: Referral, move: Move) -> None:
        setattr(referral, self.column, move.reason)


@dataclass(frozen=True)
class KeepUntil:
    """On hold: the date the receiver expects to go on, if they gave one."""

    def apply(self, referral: Referral, move: Move) -> None:
        referral.hold_until = move.until


@dataclass(frozen=True)
class KeepSuggestion:
    """Declined: the program the receiver suggests instead, if they chose one."""

    def apply(self, referral: Referral, move: Move) -> None:
        referral.suggested_program_id = move.suggested_program_id


@dataclass(frozen=True)
class Forget:
    """Columns that stop being true with this move (a hold ends when work resumes)."""

    columns: tuple[str, ...]

    def apply(self, referral: Referral, move: Move) -> None:
        for column in self.columns:
            setattr(referral, column, None)


@dataclass(frozen=True)
class ProgramFullWhen:
    """A decline for this reason tells the directory and matching that the program is full."""

    reason: CodedEnum

    def apply(self, referral: Referral, move: Move) -> None:
        if move.reason is self.reason:
            referral.program.capacity_available = 0
            referral.program.capacity_updated_at = move.now


@dataclass(frozen=True)
class StartResponseClock:
    """Sending: the note and priority go with it, and the partner's answer is due within the
    program's promised response time (or the coalition's default)."""

    def apply(self, referral: Referral, move: Move) -> None:
        hours = referral.program.response_time_hours or current_app.config["DEFAULT_RESPONSE_HOURS"]
        referral.note = move.note
        referral.priority = move.priority or Priority.ROUTINE
        referral.response_due_at = move.now + timedelta(hours=hours)


class Party(enum.Enum):
    """Who hears of a move."""

    RECEIVING_STAFF = "receiving_staff"  # the receiving organization's inbox staff
    SENDER = "sender"  # the person who sent the referral


@dataclass(frozen=True)
class Notify:
    """The other side hears of the move (never the person who made it)."""

    party: Party
    kind: NotificationKind
    # A draft never reached the receiver: withdrawing one tells nobody.
    only_if_sent: bool = False
