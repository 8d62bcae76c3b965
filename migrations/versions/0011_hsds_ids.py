"""hsds ids: organizations and programs keep a UUID for Open Referral HSDS exchanges

Existing rows get a new random UUID each; `flask directory import` upserts by it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 18:00:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("organizations", "programs")


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("hsds_id", sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("hsds_id", sa.String))
        for (ident,) in connection.execute(sa.select(rows.c.id)).all():
            connection.execute(
                rows.update().where(rows.c.id == ident).values(hsds_id=str(uuid.uuid4()))
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("hsds_id", existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_hsds_id"), ["hsds_id"])


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_hsds_id"), type_="unique")
            batch_op.drop_column("hsds_id")
