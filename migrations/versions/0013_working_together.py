"""working together on a referral: a thread, assignees, hold and return reasons

A message thread between the sending and the receiving organization; the person on each
side who works the referral (and the caseworker who carries an intake); why a referral is on
hold and until when; which program a receiver that declines suggests instead.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "referral_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_referral_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_referral_messages_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_messages_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_messages")),
    )
    with op.batch_alter_table("referral_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_messages_referral_id"), ["referral_id"], unique=False
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold_reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("hold_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("suggested_program_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sender_assignee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("receiver_assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_suggested_program_id_programs"),
            "programs",
            ["suggested_program_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_sender_assignee_id_users"),
            "users",
            ["sender_assignee_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_referrals_receiver_assignee_id_users"),
            "users",
            ["receiver_assignee_id"],
            ["id"],
        )
        batch_op.create_index("ix_referrals_sender_assignee_id", ["sender_assignee_id"])
        batch_op.create_index("ix_referrals_receiver_assignee_id", ["receiver_assignee_id"])

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_intakes_assignee_id_users"), "users", ["assignee_id"], ["id"]
        )
        batch_op.create_index("ix_intakes_assignee_id", ["assignee_id"])
    # Until now the author carried the intake.
    op.execute("UPDATE intakes SET assignee_id = created_by_id")


def downgrade():
    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_index("ix_intakes_assignee_id")
        batch_op.drop_constraint(batch_op.f("fk_intakes_assignee_id_users"), type_="foreignkey")
        batch_op.drop_column("assignee_id")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_receiver_assignee_id")
        batch_op.drop_index("ix_referrals_sender_assignee_id")
        for name in (
            "fk_referrals_receiver_assignee_id_users",
            "fk_referrals_sender_assignee_id_users",
            "fk_referrals_suggested_program_id_programs",
        ):
            batch_op.drop_constraint(batch_op.f(name), type_="foreignkey")
        for column in (
            "receiver_assignee_id",
            "sender_assignee_id",
            "suggested_program_id",
            "hold_until",
            "hold_reason",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("referral_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_messages_referral_id"))
    op.drop_table("referral_messages")
