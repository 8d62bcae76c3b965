"""audit page indexes

The /audit page lists events newest first by (occurred_at, id), for a supervisor's
organization, one member of staff, or everything: one index for each, replacing the
(actor_organization_id, id) index that nothing read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_actor_organization_id_id')
        batch_op.create_index(
            'ix_audit_events_actor_organization_id_occurred_at',
            ['actor_organization_id', 'occurred_at', 'id'],
            unique=False,
        )
        batch_op.create_index(
            'ix_audit_events_actor_id_occurred_at', ['actor_id', 'occurred_at', 'id'], unique=False
        )
        batch_op.create_index('ix_audit_events_occurred_at_id', ['occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_occurred_at_id')
        batch_op.drop_index('ix_audit_events_actor_id_occurred_at')
        batch_op.drop_index('ix_audit_events_actor_organization_id_occurred_at')
        batch_op.create_index(
            'ix_audit_events_actor_organization_id_id', ['actor_organization_id', 'id'], unique=False
        )
