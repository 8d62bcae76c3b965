"""The rollup tables. Each row is a count of referrals sharing every key column.

Every table carries the dimensions the dashboard's scope and filters need (``DIMENSIONS``).
A referral counts twice, once for each side that sees it (``side``):

- its "sent" row, whose ``organization_id`` is the sending organization: who sent it,
  which program and partner received it; ``consent_week`` 0, since the sender's figures do
  not depend on consent;
- its "received" row, whose ``organization_id`` is the partner: the program, and until
  when the client's consent covers the partner (``consent_week``: the Monday of the week the
  last active consent naming the partner ends, 0 when none does; see
  ``access.received_rollups``); ``sent_by_id`` 0, since a partner's figures are not split
  by who sent.

A referral an organization sent to its own program has one "both" row with every column.
Dropping on each side what only the other side reads keeps the rows few: a sender's rows
are not split by the clients' consents, a partner's not by who sent. Periods are day
numbers (``periods.py``). Reasons and outcomes are '' rather than NULL so that every key is
unique. A count can reach 0 when referrals move on; such rows are kept (they count nothing)
until the next rebuild.
"""

from __future__ import annotations

import sqlalchemy as sa

from referrals.extensions import db

CODE = sa.String(32)


SENT, RECEIVED, BOTH = "sent", "received", "both"
ALL_PROGRAMS = 0  # rollup_durations: the rows that count every program


def _dimensions() -> list[sa.Column]:
    """Whose figures the row is (``organization_id``: the sender's on a "sent" row, the
    partner's on a "received" one) and the side, first: every reader names both, so a
    period's rows for one organization are neighbours in the key, which is the only index."""
    return [
        sa.Column("organization_id", sa.Integer, primary_key=True),
        sa.Column("side", CODE, primary_key=True),
        sa.Column("program_id", sa.Integer, primary_key=True),
        sa.Column("sent_by_id", sa.Integer, primary_key=True),
        sa.Column("receiving_organization_id", sa.Integer, primary_key=True),
        sa.Column("consent_week", sa.Integer, primary_key=True),
    ]


DIMENSIONS = (
    "organization_id",
    "side",
    "program_id",
    "sent_by_id",
    "receiving_organization_id",
    "consent_week",
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
)

# Time to the first answer and to acceptance, by the day the referral was sent, in buckets
# (``contributions.bucket``): the medians are read from these histograms. Each referral
# counts under its program and again under ``ALL_PROGRAMS`` (the histograms a dashboard
# without a program filter reads): a reader names one or the other, never neither.
duration_rollups = sa.Table(
    "rollup_durations",
    db.metadata,
    sa.Column("span", sa.Integer, primary_key=True),
    sa.Column("period_start", sa.Integer, primary_key=True),
    *_dimensions(),
    sa.Column("kind", CODE, primary_key=True),  # "response" or "acceptance"
    sa.Column("minutes", sa.Integer, primary_key=True),  # the bucket's lower bound
    sa.Column("referrals", sa.Integer, nullable=False),
)

# The weekly trend: referrals sent, accepted and completed per 7 days from ``week_start``.
# The trend's weeks end on the day the viewer chose, so every day starts a week here: each
# event counts in the seven weeks that hold it.
week_rollups = sa.Table(
    "rollup_weeks",
    db.metadata,
    sa.Column("week_start", sa.Integer, primary_key=True),
    *_dimensions(),
    sa.Column("kind", CODE, primary_key=True),  # "sent", "accepted" or "completed"
    sa.Column("referrals", sa.Integer, nullable=False),
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
