"""Coalition-wide counts for one quarter, as they stood when the quarter ended.

Every figure counts the referrals *sent* in the quarter, each in the status it had at the
quarter's end: its last status change before that moment, read from the timeline. So a
published quarter's figures never change: a referral accepted, declined or closed later moves
no count, and two exports of one quarter, however far apart, are identical. (Counted in their
current status, they would drift, and two exports a day apart would give that day's changes.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from referrals.dashboard.periods import Quarter
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus
from referrals.extensions import db
from referrals.programs.models import Organization
from referrals.rollups.tables import quarter_rollups

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


def coalition_counts(quarter: Quarter) -> CoalitionCounts:
    """Referrals sent in the quarter, by partner x status at its end, reason and outcome.

    Read from the quarter rollups (referrals/rollups: each referral in the status of its last
    status change before its sending quarter ended; a referral without one, a row written by
    hand, in its current status), one statement.
    """
    t = quarter_rollups
    grouped = (t.c.status, t.c.decline_reason, t.c.outcome)
    n = sa.func.sum(t.c.referrals)
    stmt = (
        sa.select(Organization.id, Organization.name, *grouped, n)
        .join(t, t.c.receiving_organization_id == Organization.id)
        .where(t.c.quarter == quarter.year * 4 + quarter.number - 1)
        .group_by(Organization.id, Organization.name, *grouped)
        .having(n > 0)
        .order_by(Organization.name, Organization.id)
    )
    rows: dict[int, int] = {}
    result = CoalitionCounts()
    reasons, outcomes = list(DeclineReason), list(OutcomeCode)
    for org_id, name, status_code, reason_code, outcome_code, count in db.session.execute(stmt):
        status_then = ReferralStatus(status_code)
        reason = DeclineReason(reason_code) if reason_code else None
        outcome = OutcomeCode(outcome_code) if outcome_code else None
        n_then = int(count)
        if org_id not in rows:
            rows[org_id] = len(result.partners)
            result.partners.append(name)
            result.by_status.append([0] * len(COALITION_STATUSES))
            result.declines.append([0] * len(reasons))
        i = rows[org_id]
        result.by_status[i][COALITION_STATUSES.index(status_then)] += n_then
        # Every rejected referral counts under a reason and every completed or failed one
        # under an outcome ("other" if a row lacks one; the services always record it), so
        # these tables add up to the status table's columns, as their suppression assumes.
        if status_then == ReferralStatus.REJECTED:
            result.declines[i][reasons.index(reason or DeclineReason.OTHER)] += n_then
        elif status_then in CLOSING_STATUSES:
            closing = CLOSING_STATUSES.index(status_then)
            result.outcomes[closing][outcomes.index(outcome or OutcomeCode.OTHER)] += n_then
    return result
