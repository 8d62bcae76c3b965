"""Coalition-wide counts for one quarter, as they stood when the quarter ended.

Every figure counts the referrals *sent* in the quarter, each in the status it had at the
quarter's end: its last status change before that moment, read from the timeline. So a
published quarter's figures never change: a referral accepted, declined or closed later moves
no count, and two exports of one quarter, however far apart, are identical. (Counted in their
current status, they would drift, and two exports a day apart would give that day's changes.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from referrals.dashboard.periods import Quarter
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Referral, ReferralEvent
from referrals.programs.models import Organization

COALITION_STATUSES: list[ReferralStatus] = [s for s in ReferralStatus if s != ReferralStatus.DRAFT]
# The statuses an outcome is recorded with (the "complete" and "fail" actions).
CLOSING_STATUSES = (ReferralStatus.COMPLETED, ReferralStatus.FAILED)


@dataclass
class CoalitionCounts:
    """Raw counts (suppressed before anyone sees them), rows in the order of ``partners``."""

    partners: list[str] = field(default_factory=list)
    by_status: list[list[int]] = field(default_factory=list)  # partner x COALITION_STATUSES
    declines: list[list[int]] = field(default_factory=list)  # partner x DeclineReason
    # CLOSING_STATUSES x OutcomeCode: the completed and failed columns, by outcome.
    outcomes: list[list[int]] = field(
        default_factory=lambda: [[0] * len(OutcomeCode) for _ in CLOSING_STATUSES]
    )


def status_at(moment: datetime) -> sa.ScalarSelect[ReferralStatus]:
    """A referral's status just before ``moment``: the last status change before it."""
    return (
        sa.select(ReferralEvent.to_status)
        .where(
            ReferralEvent.referral_id == Referral.id,
            ReferralEvent.to_status.is_not(None),
            ReferralEvent.occurred_at < moment,
        )
        .order_by(ReferralEvent.occurred_at.desc(), ReferralEvent.id.desc())
        .limit(1)
        .correlate(Referral)
        .scalar_subquery()
    )


def coalition_counts(quarter: Quarter) -> CoalitionCounts:
    """Referrals sent in the quarter, by partner x status at its end, reason and outcome."""
    moment = quarter.ends_at
    # The services and the demo write a status change for every move; a referral without
    # one (a row written by hand) counts in its current status.
    status = sa.func.coalesce(status_at(moment), Referral.status)
    snapshot = (
        sa.select(
            Referral.receiving_organization_id.label("organization_id"),
            status.label("status"),
            Referral.decline_reason,
            Referral.outcome,
        )
        .where(Referral.sent_at >= quarter.starts_at, Referral.sent_at < moment)
        .subquery()
    )
    grouped = (snapshot.c.status, snapshot.c.decline_reason, snapshot.c.outcome)
    stmt = (
        sa.select(Organization.id, Organization.name, *grouped, sa.func.count())
        .join(snapshot, snapshot.c.organization_id == Organization.id)
        .where(snapshot.c.status != ReferralStatus.DRAFT)
        .group_by(Organization.id, Organization.name, *grouped)
        .order_by(Organization.name, Organization.id)
    )
    rows: dict[int, int] = {}
    result = CoalitionCounts()
    reasons, outcomes = list(DeclineReason), list(OutcomeCode)
    for org_id, name, status_then, reason, outcome, n in db.session.execute(stmt):
        if org_id not in rows:
            rows[org_id] = len(result.partners)
            result.partners.append(name)
            result.by_status.append([0] * len(COALITION_STATUSES))
            result.declines.append([0] * len(reasons))
        i = rows[org_id]
        result.by_status[i][COALITION_STATUSES.index(status_then)] += n
        # Every rejected referral counts under a reason and every completed or failed one
        # under an outcome ("other" if a row lacks one; the services always record it), so
        # these tables add up to the status table's columns, as their suppression assumes.
        if status_then == ReferralStatus.REJECTED:
            result.declines[i][reasons.index(reason or DeclineReason.OTHER)] += n
        elif status_then in CLOSING_STATUSES:
            closing = CLOSING_STATUSES.index(status_then)
            result.outcomes[closing][outcomes.index(outcome or OutcomeCode.OTHER)] += n
    return result
