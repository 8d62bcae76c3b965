"""notifications keep the move they tell of

A notification about a decision or a status change says what happened ("Hope House accepted
referral …"): the move's action is kept with it ("accept", "forward"); none for kinds that
say it themselves, and for rows written before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("action", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("action")
