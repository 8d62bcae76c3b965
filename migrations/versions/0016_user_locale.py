"""the user's language: English or Spanish, chosen with the switch in the header

NULL until the user chooses: the browser's Accept-Language decides meanwhile.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 19:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")
