"""credential types and employee credentials

Kinds of credential a role family requires, whether primary-source verification is needed and the
usual renewal period; each employee's credentials with number, issuer, dates and verification.

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
    op.create_table('employee_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('credential_type_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=80), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verification_method', sa.Enum('PRIMARY_SOURCE', 'COPY_SEEN', name='verificationmethod', native_enum=False, length=32), nullable=True),
    sa.Column('verification_source', sa.String(length=200), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credential_type_id'], ['credential_type.id'], name=op.f('fk_employee_credential_credential_type_id_credential_type')),
    sa.ForeignKeyConstraint(['employee_id'], ['user.id'], name=op.f('fk_employee_credential_employee_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user.id'], name=op.f('fk_employee_credential_verified_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_credential'))
    )
    with op.batch_alter_table('employee_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_credential_credential_type_id'), ['credential_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_credential_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_credential_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_credential_verified_by_id'), ['verified_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('employee_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employee_credential_verified_by_id'))
        batch_op.drop_index(batch_op.f('ix_employee_credential_expires_on'))
        batch_op.drop_index(batch_op.f('ix_employee_credential_employee_id'))
        batch_op.drop_index(batch_op.f('ix_employee_credential_credential_type_id'))
    op.drop_table('employee_credential')
    op.drop_table('credential_type')
