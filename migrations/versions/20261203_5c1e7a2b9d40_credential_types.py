"""credential types

Kinds of credential a role family requires, whether primary-source verification is needed and the
usual renewal period.

Revision ID: 5c1e7a2b9d40
Revises: 3766dced6d1d
Create Date: 2026-12-04 00:47:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a2b9d40'
down_revision = '3766dced6d1d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credential_type',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role_families', sa.JSON(), nullable=False),
    sa.Column('primary_source_required', sa.Boolean(), nullable=False),
    sa.Column('renewal_months', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_type')),
    sa.UniqueConstraint('name', name=op.f('uq_credential_type_name'))
    )


def downgrade():
    op.drop_table('credential_type')
