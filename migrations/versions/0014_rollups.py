"""rollups: the dashboard's and the coalition view's counts per period (issue 22)

Four tables of counts kept in step with the referrals by referrals/rollups/upkeep.py. This
migration creates them empty: on a database that already holds referrals, run
``flask rollups rebuild`` once after upgrading (docs/DEPLOY.md), then ``flask rollups
check``. The migration does not call the app's rebuild itself, so that it keeps working when
later migrations change the referral tables the app's code reads.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 19:39:32.192666

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollup_durations",
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("sending_organization_id", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("receiving_organization_id", sa.Integer(), nullable=False),
        sa.Column("consent_week", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span",
            "period_start",
            "sending_organization_id",
            "sent_by_id",
            "program_id",
            "receiving_organization_id",
            "consent_week",
            "kind",
            "minutes",
            name=op.f("pk_rollup_durations"),
        ),
    )
    with op.batch_alter_table("rollup_durations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_durations_receiving",
            ["receiving_organization_id", "span", "period_start"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rollup_durations_sending",
            ["sending_organization_id", "span", "period_start"],
            unique=False,
        )

    op.create_table(
        "rollup_quarters",
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("receiving_organization_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decline_reason", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "quarter",
            "receiving_organization_id",
            "status",
            "decline_reason",
            "outcome",
            name=op.f("pk_rollup_quarters"),
        ),
    )
    op.create_table(
        "rollup_statuses",
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("sending_organization_id", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("receiving_organization_id", sa.Integer(), nullable=False),
        sa.Column("consent_week", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("decline_reason", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span",
            "period_start",
            "sending_organization_id",
            "sent_by_id",
            "program_id",
            "receiving_organization_id",
            "consent_week",
            "status",
            "decline_reason",
            "outcome",
            name=op.f("pk_rollup_statuses"),
        ),
    )
    with op.batch_alter_table("rollup_statuses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_statuses_receiving",
            ["receiving_organization_id", "span", "period_start"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rollup_statuses_sending",
            ["sending_organization_id", "span", "period_start"],
            unique=False,
        )

    op.create_table(
        "rollup_weeks",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("week_start", sa.Integer(), nullable=False),
        sa.Column("sending_organization_id", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("receiving_organization_id", sa.Integer(), nullable=False),
        sa.Column("consent_week", sa.Integer(), nullable=False),
        sa.Column("referrals", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind",
            "week_start",
            "sending_organization_id",
            "sent_by_id",
            "program_id",
            "receiving_organization_id",
            "consent_week",
            name=op.f("pk_rollup_weeks"),
        ),
    )
    with op.batch_alter_table("rollup_weeks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rollup_weeks_receiving",
            ["receiving_organization_id", "week_start"],
            unique=False,
        )
        batch_op.create_index(
            "ix_rollup_weeks_sending",
            ["sending_organization_id", "week_start"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("rollup_weeks", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_weeks_sending")
        batch_op.drop_index("ix_rollup_weeks_receiving")

    op.drop_table("rollup_weeks")
    with op.batch_alter_table("rollup_statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_statuses_sending")
        batch_op.drop_index("ix_rollup_statuses_receiving")

    op.drop_table("rollup_statuses")
    op.drop_table("rollup_quarters")
    with op.batch_alter_table("rollup_durations", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_durations_sending")
        batch_op.drop_index("ix_rollup_durations_receiving")

    op.drop_table("rollup_durations")
