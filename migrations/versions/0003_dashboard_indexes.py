"""dashboard indexes: one organization's referrals by sent_at

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 14:20:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_sending_org_sent_at", ["sending_organization_id", "sent_at"], unique=False
        )
        batch_op.create_index(
            "ix_referrals_receiving_org_sent_at",
            ["receiving_organization_id", "sent_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_receiving_org_sent_at")
        batch_op.drop_index("ix_referrals_sending_org_sent_at")
