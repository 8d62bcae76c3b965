"""The rollup tables. Each row is a count of referrals sharing every key column.

Every table carries the dimensions the dashboard's scope and filters need (``DIMENSIONS``):
who sent (organization and person), which program and partner received, and until when the
client's consent covers the partner (``consent_week``: the Monday of the week the last
active consent naming the partner ends, 0 when none does; see ``access.received_rollups``).
Periods are day numbers (``periods.py``). Reasons and outcomes are '' rather than NULL so
that every key is unique. A count can reach 0 when referrals move on; such rows are kept
(they count nothing) until the next rebuild.
"""

from __future__ import annotations

import sqlalchemy as sa

from referrals.extensions import db

CODE = sa.String(32)


def _dimensions() -> list[sa.Column]:
    return [
        sa.Column("sending_organization_id", sa.Integer, primary_key=True),
        sa.Column("sent_by_id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, primary_key=True),
        sa.Column("receiving_organization_id", sa.Integer, primary_key=True),
        sa.Column("consent_week", sa.Integer, primary_key=True),
    ]


DIMENSIONS = (
    "sending_organization_id",
    "sent_by_id",
    "program_id",
    "receiving_organization_id",
    "consent_week",
)


def _side_indexes(name: str, *period: str) -> tuple[sa.Index, sa.Index]:
    """A dashboard reads one organization's rows, sent or received, for a few periods."""
    return (
        sa.Index(f"ix_{name}_sending", "sending_organization_id", *period),
        sa.Index(f"ix_{name}_receiving", "receiving_organization_id", *period),
    )


# Referrals by the day they were sent: status, reason, outcome, and how many were accepted.
status_rollups = sa.Table(
    "rollup_statuses",
    db.metadata,
    sa.Column("span", sa.Integer, primary_key=True),
    sa.Column("period_start", sa.Integer, primary_key=True),
    *_dimensions(),
    sa.Column("status", CODE, primary_key=True),
    sa.Column("decline_reason", CODE, primary_key=True),
    sa.Column("outcome", CODE, primary_key=True),
    sa.Column("referrals", sa.Integer, nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    *_side_indexes("rollup_statuses", "span", "period_start"),
)

# Time to the first answer and to acceptance, by the day the referral was sent, in buckets
# (``contributions.bucket``): the medians are read from these histograms.
duration_rollups = sa.Table(
    "rollup_durations",
    db.metadata,
    sa.Column("span", sa.Integer, primary_key=True),
    sa.Column("period_start", sa.Integer, primary_key=True),
    *_dimensions(),
    sa.Column("kind", CODE, primary_key=True),  # "response" or "acceptance"
    sa.Column("minutes", sa.Integer, primary_key=True),  # the bucket's lower bound
    sa.Column("referrals", sa.Integer, nullable=False),
    *_side_indexes("rollup_durations", "span", "period_start"),
)

# The weekly trend: referrals sent, accepted and completed per 7 days from ``week_start``.
# The trend's weeks end on the day the viewer chose, so every day starts a week here: each
# event counts in the seven weeks that hold it.
week_rollups = sa.Table(
    "rollup_weeks",
    db.metadata,
    sa.Column("kind", CODE, primary_key=True),  # "sent", "accepted" or "completed"
    sa.Column("week_start", sa.Integer, primary_key=True),
    *_dimensions(),
    sa.Column("referrals", sa.Integer, nullable=False),
    *_side_indexes("rollup_weeks", "week_start"),
)

# The coalition view: referrals sent in a quarter, by partner and the status each had when
# the quarter ended (``coalition_counts.py``), with their decline reason and outcome.
quarter_rollups = sa.Table(
    "rollup_quarters",
    db.metadata,
    sa.Column("quarter", sa.Integer, primary_key=True),  # year * 4 + quarter - 1
    sa.Column("receiving_organization_id", sa.Integer, primary_key=True),
    sa.Column("status", CODE, primary_key=True),
    sa.Column("decline_reason", CODE, primary_key=True),
    sa.Column("outcome", CODE, primary_key=True),
    sa.Column("referrals", sa.Integer, nullable=False),
)

TABLES = (status_rollups, duration_rollups, week_rollups, quarter_rollups)


def key_columns(table: sa.Table) -> list[sa.Column]:
    return list(table.primary_key.columns)


def count_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if not c.primary_key]
