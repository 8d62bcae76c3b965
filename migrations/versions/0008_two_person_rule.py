"""two-person rule: accounts an administrator created, reset or moved await confirmation

Until a supervisor of the account's organization (or, for an organization's first
supervisor, a second administrator) confirms it, the account sees no intake or referral.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_confirmation_since", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("confirmation_asked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_confirmation_asked_by_id_users"),
            "users",
            ["confirmation_asked_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_users_confirmation_asked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("confirmation_asked_by_id")
        batch_op.drop_column("awaiting_confirmation_since")
