"""sweep totals and the outbox index: what operations watch, without scanning history

``sweep_totals`` holds what every ``flask sweep`` has done (one row per step, and ``runs``),
added to in each step's own transaction, so /metrics reports counters that every app
server agrees on. ``ix_notifications_unsent`` covers only the notifications still to be
e-mailed: the sweep's next batch, /readyz's oldest waiting e-mail and the outbox depth stay
cheap however many notifications were sent before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-14 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UNSENT_SQL = "emailed_at IS NULL"


def upgrade():
    op.create_table(
        "sweep_totals",
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_sweep_totals")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_unsent",
            ["id"],
            unique=False,
            postgresql_where=sa.text(UNSENT_SQL),
            sqlite_where=sa.text(UNSENT_SQL),
        )


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unsent")
    op.drop_table("sweep_totals")
