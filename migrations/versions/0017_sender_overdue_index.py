"""sender overdue index: one organization's sent requested referrals by answer time

The dashboard's overdue list reads each side of the viewer's referrals in answer-time order
and stops at the list's length. The receiving side had its index (0007); without this one
the sending side was an OR that PostgreSQL answered by intersecting a bitmap of every
referral sent in the date range, coalition-wide (58 ms at a million referrals).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 23:45:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_sending_org_status_due",
            ["sending_organization_id", "status", "response_due_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_sending_org_status_due")
