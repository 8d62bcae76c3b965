"""Referrals, their timeline, and the notifications they raise."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from referrals.db_types import UtcDateTime, code_enum, new_public_id, utcnow
from referrals.enums import (
    CancelReason,
    DeclineReason,
    HoldReason,
    NotificationKind,
    OutcomeCode,
    Priority,
    ReferralStatus,
)
from referrals.extensions import Model

if TYPE_CHECKING:
    from referrals.auth.models import User
    from referrals.intake.models import Intake
    from referrals.programs.models import Organization, Program
    from referrals.tokens.models import ApiToken


# Draft and open statuses, as SQL (kept equal to enums.OPEN_STATUSES plus draft by a test).
PENDING_SQL = "status IN ('draft', 'requested', 'accepted', 'in_progress', 'on_hold')"
UNSENT_SQL = "emailed_at IS NULL"


class Referral(Model):
    """A request from one organization to another's program, tracked to its outcome."""

    __tablename__ = "referrals"
    __table_args__ = (
        # The partner inbox and the sent list: organization + status, newest first.
        sa.Index(
            "ix_referrals_receiving_org_status_created",
            "receiving_organization_id",
            "status",
            "created_at",
            "id",
        ),
        sa.Index(
            "ix_referrals_sending_org_status_created",
            "sending_organization_id",
            "status",
            "created_at",
            "id",
        ),
        # The same lists across every status: walked backwards, newest first, 50 rows read
        # instead of sorting the organization's ~175k referrals (EXPLAIN at 1M: 263 → 0.9 ms).
        sa.Index(
            "ix_referrals_receiving_org_created", "receiving_organization_id", "created_at", "id"
        ),
        sa.Index("ix_referrals_sending_org_created", "sending_organization_id", "created_at", "id"),
        sa.Index("ix_referrals_status_response_due_at", "status", "response_due_at"),
        # The inbox's overdue panel and queue: one organization's requested referrals by
        # answer time, without walking every other organization's.
        sa.Index(
            "ix_referrals_receiving_org_status_due",
            "receiving_organization_id",
            "status",
            "response_due_at",
            "id",
        ),
        # The dashboard's overdue list, the sender's side of the same (its arm of the list
        # read in answer-time order, not intersected with every referral in the range).
        sa.Index(
            "ix_referrals_sending_org_status_due",
            "sending_organization_id",
            "status",
            "response_due_at",
            "id",
        ),
        # The dashboard: one organization's referrals sent in a date range (either side).
        sa.Index("ix_referrals_sending_org_sent_at", "sending_organization_id", "sent_at"),
        sa.Index("ix_referrals_receiving_org_sent_at", "receiving_organization_id", "sent_at"),
        # One draft or open referral per intake and program, even when two clicks race.
        sa.Index(
            "uq_referrals_pending_intake_program",
            "intake_id",
            "program_id",
            unique=True,
            postgresql_where=sa.text(PENDING_SQL),
            sqlite_where=sa.text(PENDING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(24), unique=True, default=new_public_id)
    intake_id: Mapped[int] = mapped_column(sa.ForeignKey("intakes.id"), index=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id"), index=True)
    receiving_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    sending_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    sent_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[ReferralStatus] = mapped_column(
        code_enum(ReferralStatus), default=ReferralStatus.DRAFT
    )
    priority: Mapped[Priority] = mapped_column(code_enum(Priority), default=Priority.ROUTINE)
    # Written for the partner; checked for identifiers before it is saved.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_viewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    decline_reason: Mapped[DeclineReason | None] = mapped_column(code_enum(DeclineReason))
    cancel_reason: Mapped[CancelReason | None] = mapped_column(code_enum(CancelReason))
    outcome: Mapped[OutcomeCode | None] = mapped_column(code_enum(OutcomeCode))
    # On hold: why, and when the receiver expects to go on (shown to the sender).
    hold_reason: Mapped[HoldReason | None] = mapped_column(code_enum(HoldReason))
    hold_until: Mapped[date | None] = mapped_column(sa.Date)
    # Declined (handed back to the sender): the program the receiver suggests instead.
    suggested_program_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programs.id"))
    # The person on each side who works the referral (their own organization's staff).
    sender_assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    receiver_assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # Optimistic locking: an UPDATE that finds another version changes nothing and fails.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    intake: Mapped[Intake] = relationship()
    program: Mapped[Program] = relationship(foreign_keys=[program_id])
    suggested_program: Mapped[Program | None] = relationship(foreign_keys=[suggested_program_id])
    receiving_organization: Mapped[Organization] = relationship(
        foreign_keys=[receiving_organization_id]
    )
    sending_organization: Mapped[Organization] = relationship(
        foreign_keys=[sending_organization_id]
    )
    sent_by: Mapped[User] = relationship(foreign_keys=[sent_by_id])
    sender_assignee: Mapped[User | None] = relationship(foreign_keys=[sender_assignee_id])
    receiver_assignee: Mapped[User | None] = relationship(foreign_keys=[receiver_assignee_id])
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", order_by="ReferralEvent.id"
    )
    messages: Mapped[list[ReferralMessage]] = relationship(
        back_populates="referral", order_by="ReferralMessage.id"
    )

    def __repr__(self) -> str:
        return f"<Referral {self.public_id} {self.status.value}>"

    def is_overdue(self, moment: datetime) -> bool:
        """A requested referral past its response time ("overdue" is not a status)."""
        return (
            self.status == ReferralStatus.REQUESTED
            and self.response_due_at is not None
            and self.response_due_at < moment
        )


class ReferralEvent(Model):
    """One step on a referral's timeline: a status change, a read receipt, a reminder."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), default="status_change")
    from_status: Mapped[ReferralStatus | None] = mapped_column(code_enum(ReferralStatus))
    to_status: Mapped[ReferralStatus | None] = mapped_column(code_enum(ReferralStatus))
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # A move a partner system made with an API token (the actor is the token's maker).
    api_token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_tokens.id"))

    referral: Mapped[Referral] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    api_token: Mapped[ApiToken | None] = relationship()


class ReferralMessage(Model):
    """One message of the thread between the sending and the receiving organization.

    Checked for identifiers like every note; blanked by retention with the intake's notes.
    """

    __tablename__ = "referral_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The author's organization when they wrote (staff can move between organizations).
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    referral: Mapped[Referral] = relationship(back_populates="messages")
    author: Mapped[User] = relationship()


class Notification(Model):
    """An in-app message to one member of staff; e-mails carry only a link to it."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_recipient_id_read_at", "recipient_id", "read_at"),
        # The e-mail outbox: the sweep's next batch, /readyz's oldest waiting e-mail and the
        # outbox metrics read only the rows still to send, however many were sent before.
        sa.Index(
            "ix_notifications_unsent",
            "id",
            postgresql_where=sa.text(UNSENT_SQL),
            sqlite_where=sa.text(UNSENT_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(code_enum(NotificationKind))
    # The move it tells of ("accept", "forward"), so it can say what happened; None for kinds
    # that say it themselves (overdue, message, ...).
    action: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    recipient: Mapped[User] = relationship()
    referral: Mapped[Referral | None] = relationship()


class SweepTotal(Model):
    """What ``flask sweep`` has done since the installation began, one row per step (and
    ``runs``), added to in each step's own transaction: /metrics reports them as counters
    that every app server and every sweep process agree on."""

    __tablename__ = "sweep_totals"

    step: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
