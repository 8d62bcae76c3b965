"""Loading what matching needs: three queries, whatever the number of programs or referrals."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from referrals.db_types import utcnow
from referrals.enums import DeclineReason, ReferralStatus
from referrals.extensions import db
from referrals.intake.models import Intake
from referrals.lifecycle.models import Referral
from referrals.matching.engine import IntakeFacts, MatchResult, ProgramFacts, match
from referrals.programs.models import Organization, Program

RESPONSE_WINDOW = timedelta(days=90)


def intake_facts(intake: Intake) -> IntakeFacts:
    """The parts of an intake that matching reads (never its notes or indicators)."""
    return IntakeFacts(
        age_band=intake.age_band,
        gender=intake.gender.value,
        languages=tuple(intake.languages or ()),
        county=intake.county,
        needs=tuple(intake.needs or ()),
        urgency=intake.urgency,
    )


def program_facts() -> list[ProgramFacts]:
    """Every program of an active organization, inactive ones too (they are shown excluded)."""
    rows = db.session.execute(
        sa.select(
            Program.id,
            Program.name,
            Program.organization_id,
            Organization.name,
            Program.service_types,
            Program.min_age,
            Program.max_age,
            Program.genders_served,
            Program.languages,
            Program.counties_served,
            Program.capacity_available,
            Program.capacity_maximum,
            Program.capacity_unit,
            Program.waitlist_accepted,
            Program.response_time_hours,
            Program.status,
        )
        .join(Organization, Program.organization_id == Organization.id)
        .where(Organization.active.is_(True))
        .order_by(Program.name, Program.id)
    )
    return [
        ProgramFacts(
            id=row[0],
            name=row[1],
            organization_id=row[2],
            organization_name=row[3],
            service_types=tuple(row[4] or ()),
            min_age=row[5],
            max_age=row[6],
            genders_served=tuple(row[7] or ()),
            languages=tuple(row[8] or ()),
            counties_served=tuple(row[9] or ()),
            capacity_available=row[10],
            capacity_maximum=row[11],
            capacity_unit=row[12],
            waitlist_accepted=row[13],
            response_time_hours=row[14],
            status=row[15].value,
        )
        for row in rows
    ]


def declined_program_ids(intake_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """Programs that declined this intake as not eligible, and as having no capacity."""
    rows = db.session.execute(
        sa.select(Referral.program_id, Referral.decline_reason).where(
            Referral.intake_id == intake_id,
            Referral.status == ReferralStatus.REJECTED,
            Referral.decline_reason.in_([DeclineReason.NOT_ELIGIBLE, DeclineReason.NO_CAPACITY]),
        )
    ).all()
    return (
        frozenset(pid for pid, reason in rows if reason == DeclineReason.NOT_ELIGIBLE),
        frozenset(pid for pid, reason in rows if reason == DeclineReason.NO_CAPACITY),
    )


def partner_response_hours(now: datetime | None = None) -> dict[int, float]:
    """Each receiving organization's median hours from sending to first response, 90 days.

    The hours are worked out in Python from the two timestamps, so SQLite and PostgreSQL
    give the same figures without dialect-specific date arithmetic.
    """
    since = (now or utcnow()) - RESPONSE_WINDOW
    rows = db.session.execute(
        sa.select(
            Referral.receiving_organization_id, Referral.sent_at, Referral.responded_at
        ).where(Referral.sent_at >= since, Referral.responded_at.is_not(None))
    )
    hours: dict[int, list[float]] = defaultdict(list)
    for organization_id, sent_at, responded_at in rows:
        if sent_at is None or responded_at is None:  # excluded by the query; narrows the type
            continue
        hours[organization_id].append((responded_at - sent_at).total_seconds() / 3600)
    return {org: statistics.median(values) for org, values in hours.items()}


def match_intake(intake: Intake) -> MatchResult:
    """Rank every program of an active organization for ``intake``, or say why it is excluded."""
    not_eligible, full = declined_program_ids(intake.id)
    return match(
        intake_facts(intake),
        program_facts(),
        not_eligible_program_ids=not_eligible,
        full_program_ids=full,
        partner_response_hours=partner_response_hours(),
    )
