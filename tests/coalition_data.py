"""Referral histories for the coalition tests: written with their timelines, and an oracle.

A history is a referral sent at a moment and moved along one of the lifecycle's paths, each
move a given number of hours after the last. ``seed`` writes the moves that happened by a
moment (referral row and status-change events, as the services write them); ``advance`` plays
the later ones, as people acting later would; ``expected_counts`` says, without the app, what a
quarter's figures must be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa
from flask import Flask

from referrals.auth.models import User
from referrals.auth.passwords import hash_password
from referrals.dashboard.coalition_counts import (
    CLOSING_STATUSES,
    COALITION_STATUSES,
    CoalitionCounts,
)
from referrals.dashboard.periods import Quarter
from referrals.enums import (
    AgeBand,
    CancelReason,
    DeclineReason,
    Gender,
    OutcomeCode,
    ReferralStatus,
    Role,
)
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.programs.models import Organization, Program
from tests.conftest import PASSWORD

S = ReferralStatus
PATHS: dict[str, tuple[S, ...]] = {
    "requested": (S.REQUESTED,),
    "accepted": (S.REQUESTED, S.ACCEPTED),
    "rejected": (S.REQUESTED, S.REJECTED),
    "enrolled": (S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS),
    "on_hold": (S.REQUESTED, S.ACCEPTED, S.ON_HOLD),
    "completed": (S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED),
    "failed": (S.REQUESTED, S.ACCEPTED, S.IN_PROGRESS, S.FAILED),
    "cancelled": (S.REQUESTED, S.CANCELLED),
    "in_error": (S.REQUESTED, S.ACCEPTED, S.ENTERED_IN_ERROR),
}
PARTNER_NAMES = ("Partner A", "Partner B", "Partner C")


@dataclass(frozen=True)
class History:
    partner: int  # index into PARTNER_NAMES
    program: int  # 0 or 1: each partner runs two programs
    sent_at: datetime
    path: str
    gaps: tuple[int, ...]  # hours between consecutive moves (extra ones are ignored)
    code: int  # which decline reason or outcome

    def moves(self) -> list[tuple[datetime, S]]:
        moment, moves = self.sent_at, []
        for n, status in enumerate(PATHS[self.path]):
            if n:
                moment += timedelta(hours=self.gaps[(n - 1) % len(self.gaps)])
            moves.append((moment, status))
        return moves

    def status_before(self, moment: datetime) -> S | None:
        done = [status for at, status in self.moves() if at < moment]
        return done[-1] if done else None


@dataclass(frozen=True)
class Seeded:
    supervisor_id: int
    supervisor_email: str
    partner_ids: list[int]
    program_ids: list[int]
    referral_ids: list[int]


def seed(app: Flask, histories: list[History], *, until: datetime) -> Seeded:
    """A sending organization with a supervisor, the partners, and the moves made by ``until``."""
    with app.app_context():
        sender = Organization(name="Sending Org", slug="sending-org", refers=True, receives=False)
        partners = [
            Organization(
                name=name, slug=name.lower().replace(" ", "-"), refers=False, receives=True
            )
            for name in PARTNER_NAMES
        ]
        db.session.add_all([sender, *partners])
        db.session.flush()
        supervisor = User(
            email="supervisor@sending.example.org",
            display_name="Supervisor",
            role=Role.SUPERVISOR,
            organization_id=sender.id,
            password_hash=hash_password(PASSWORD),
            totp_secret=pyotp.random_base32(),
            mfa_enrolled_at=until,
        )
        db.session.add(supervisor)
        programs = [
            Program(organization_id=org.id, name=f"{org.name} program {n}", service_types=[])
            for org in partners
            for n in range(2)
        ]
        db.session.add_all(programs)
        db.session.flush()
        referral_ids = []
        for history in histories:
            referral = _referral(history, sender, supervisor, programs)
            _play(referral, history, after=None, until=until)
            referral_ids.append(referral.id)
        db.session.commit()
        return Seeded(
            supervisor_id=supervisor.id,
            supervisor_email=supervisor.email,
            partner_ids=[org.id for org in partners],
            program_ids=[program.id for program in programs],
            referral_ids=referral_ids,
        )


def _referral(
    history: History, sender: Organization, author: User, programs: list[Program]
) -> Referral:
    intake = Intake(
        organization_id=sender.id,
        created_by_id=author.id,
        age_band=AgeBand.AGE_25_34,
        gender=Gender.FEMALE,
        county="Jackson County, MO",
        created_at=history.sent_at - timedelta(hours=1),
    )
    program = programs[2 * history.partner + history.program]
    referral = Referral(
        intake=intake,
        program_id=program.id,
        receiving_organization_id=program.organization_id,
        sending_organization_id=sender.id,
        sent_by_id=author.id,
        status=S.DRAFT,
        created_at=history.sent_at - timedelta(hours=1),
    )
    db.session.add(referral)
    db.session.add(
        ReferralEvent(
            referral=referral, occurred_at=referral.created_at, kind="created", to_status=S.DRAFT
        )
    )
    return referral


def _play(referral: Referral, history: History, *, after: datetime | None, until: datetime) -> None:
    """Make the moves after ``after`` (exclusive) up to ``until`` (inclusive)."""
    for at, status in history.moves():
        if (after is not None and at <= after) or at > until:
            continue
        db.session.add(
            ReferralEvent(
                referral=referral,
                occurred_at=at,
                kind="status_change",
                from_status=referral.status,
                to_status=status,
            )
        )
        referral.status = status
        if status == S.REQUESTED:
            referral.sent_at = at
            referral.response_due_at = at + timedelta(hours=72)
        elif status == S.ACCEPTED:
            referral.accepted_at = referral.responded_at = at
        elif status == S.REJECTED:
            referral.decline_reason = list(DeclineReason)[history.code % len(DeclineReason)]
            referral.responded_at = referral.closed_at = at
        elif status in CLOSING_STATUSES:
            referral.outcome = list(OutcomeCode)[history.code % len(OutcomeCode)]
            referral.closed_at = at
        elif status == S.CANCELLED:
            referral.cancel_reason = CancelReason.CLIENT_DECLINED
            referral.closed_at = at
        elif status == S.ENTERED_IN_ERROR:
            referral.closed_at = at
    db.session.flush()


def advance(
    app: Flask, seeded: Seeded, histories: list[History], *, after: datetime, until: datetime
) -> None:
    """Play the moves made between ``after`` and ``until``, as people acting later would."""
    with app.app_context():
        for referral_id, history in zip(seeded.referral_ids, histories, strict=True):
            referral = db.session.get(Referral, referral_id)
            assert referral is not None
            _play(referral, history, after=after, until=until)
        db.session.commit()


def add_histories(app: Flask, seeded: Seeded, histories: list[History], *, until: datetime) -> None:
    """More referrals, sent later (by the same organization, to the same partners)."""
    with app.app_context():
        sender = db.session.scalars(
            sa.select(Organization).where(Organization.slug == "sending-org")
        ).one()
        author = db.session.get_one(User, seeded.supervisor_id)
        programs = list(db.session.scalars(sa.select(Program).order_by(Program.id)))
        for history in histories:
            referral = _referral(history, sender, author, programs)
            _play(referral, history, after=None, until=until)
        db.session.commit()


def expected_counts(histories: list[History], quarter: Quarter) -> CoalitionCounts:
    """The quarter's counts worked out from the histories alone (status at the quarter's end)."""
    sent = [h for h in histories if quarter.starts_at <= h.sent_at < quarter.ends_at]
    partners = sorted({h.partner for h in sent})
    counts = CoalitionCounts(partners=[PARTNER_NAMES[p] for p in partners])
    counts.by_status = [[0] * len(COALITION_STATUSES) for _ in partners]
    counts.declines = [[0] * len(DeclineReason) for _ in partners]
    for history in sent:
        row = partners.index(history.partner)
        status = history.status_before(quarter.ends_at)
        assert status is not None
        counts.by_status[row][COALITION_STATUSES.index(status)] += 1
        if status == S.REJECTED:
            counts.declines[row][history.code % len(DeclineReason)] += 1
        elif status in CLOSING_STATUSES:
            closing = CLOSING_STATUSES.index(status)
            counts.outcomes[closing][history.code % len(OutcomeCode)] += 1
    return counts
