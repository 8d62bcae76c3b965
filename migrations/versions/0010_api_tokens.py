"""api tokens: an organization's bearer tokens (hashed), and the timeline's token column

A supervisor makes tokens for the organization's own systems; only the SHA-256 of a token
is stored. A move made through the API names its token on the referral's timeline.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 16:59:43.029279

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('role', sa.Enum('caseworker', 'partner', 'supervisor', 'admin', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('scope', sa.Enum('read', 'act', name='tokenscope', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_api_tokens_organization_id_organizations')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_organization_id'), ['organization_id'], unique=False)

    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_referral_events_api_token_id_api_tokens'), 'api_tokens', ['api_token_id'], ['id'])



def downgrade():
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referral_events_api_token_id_api_tokens'), type_='foreignkey')
        batch_op.drop_column('api_token_id')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_organization_id'))

    op.drop_table('api_tokens')
