"""inbox overdue index: one organization's requested referrals by answer time

The inbox opens with the organization's longest-overdue referrals and links to the whole
overdue queue, both ordered by (response_due_at, id). Without this index PostgreSQL walks
the coalition-wide (status, response_due_at) index and drops other organizations' rows:
the more overdue referrals elsewhere, the slower one organization's inbox.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 17:45:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_receiving_org_status_due",
            ["receiving_organization_id", "status", "response_due_at", "id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_receiving_org_status_due")
