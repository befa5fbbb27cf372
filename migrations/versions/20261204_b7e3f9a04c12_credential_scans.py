"""credential scans

Scanned copies of employee credentials: the random name of the file stored outside the web root, its type
(found from its first bytes) and size, who uploaded it; a replaced scan is archived, never deleted.

Revision ID: b7e3f9a04c12
Revises: a4d2c8e61f30
Create Date: 2026-12-04 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3f9a04c12'
down_revision = 'a4d2c8e61f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credential_scan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('mimetype', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['credential_id'], ['employee_credential.id'], name=op.f('fk_credential_scan_credential_id_employee_credential'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_credential_scan_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credential_scan')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_credential_scan_stored_name'))
    )
    with op.batch_alter_table('credential_scan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_scan_credential_id'), ['credential_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credential_scan_uploaded_by_id'), ['uploaded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('credential_scan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_scan_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_credential_scan_credential_id'))
    op.drop_table('credential_scan')
