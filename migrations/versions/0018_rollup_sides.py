"""rollup sides: a referral counts once for its sender and once for its partner

The three period tables are keyed by whose figures a row is (``organization_id``) and the
side ("sent", "received", or "both" for an organization's referral to its own program),
right after the period: a sender's rows are no longer split by the clients' consents, nor
a partner's by who sent, and one organization's rows of a period are neighbours in the key,
which replaces the two indexes per table (referrals/rollups/tables.py). The durations count
each referral under its program and again under every program (program 0).

The tables are created anew, empty, with the same names: after upgrading a database that
holds referrals, run ``flask rollups rebuild`` once (docs/DEPLOY.md), as after 0014. This
migration does not call the app's rebuild, for the reason 0014 gives.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 23:50:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

NEW_DIMENSIONS = (
    "organization_id",
    "side",
    "program_id",
    "sent_by_id",
    "receiving_organization_id",
    "consent_week",
)
OLD_DIMENSIONS = (
    "sending_organization_id",
    "sent_by_id",
    "program_id",
    "receiving_organization_id",
    "consent_week",
)
# Each table: the key columns before the dimensions, the key columns after, the counts.
TABLES = {
    "rollup_statuses": (
        ("span", "period_start"),
        ("status", "decline_reason", "outcome"),
        ("referrals", "accepted"),
    ),
    "rollup_durations": (("span", "period_start"), ("kind", "minutes"), ("referrals",)),
    "rollup_weeks": (("week_start",), ("kind",), ("referrals",)),
}
TEXT = {"side", "status", "decline_reason", "outcome", "kind"}


def _column(name: str) -> sa.Column:
    kind = sa.String(length=32) if name in TEXT else sa.Integer()
    return sa.Column(name, kind, nullable=False)


def _create_new(name: str) -> None:
    before, after, counts = TABLES[name]
    key = [*before, *NEW_DIMENSIONS, *after]
    op.create_table(
        name,
        *(_column(c) for c in (*key, *counts)),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
    )


def _create_old(name: str) -> None:
    """As migration 0014 made it: the sides' organizations, and an index for each."""
    before, after, counts = TABLES[name]
    if name == "rollup_weeks":
        before, after = ("kind", "week_start"), ()
    key = [*before, *OLD_DIMENSIONS, *after]
    op.create_table(
        name,
        *(_column(c) for c in (*key, *counts)),
        sa.PrimaryKeyConstraint(*key, name=op.f(f"pk_{name}")),
    )
    period = [c for c in before if c != "kind"]
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_receiving", ["receiving_organization_id", *period])
        batch_op.create_index(f"ix_{name}_sending", ["sending_organization_id", *period])


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_sending")
            batch_op.drop_index(f"ix_{name}_receiving")
        op.drop_table(name)
        _create_new(name)


def downgrade():
    for name in TABLES:
        op.drop_table(name)
        _create_old(name)
