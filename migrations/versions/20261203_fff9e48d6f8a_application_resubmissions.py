"""application resubmissions

A later public submission with an application's e-mail is kept in its own row beside the
application instead of overwriting it. Existing applications are left as they are.

Revision ID: fff9e48d6f8a
Revises: d2dc45dce331
Create Date: 2026-12-03 18:04:15.786958

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fff9e48d6f8a'
down_revision = 'd2dc45dce331'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application_resubmission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('why_medical_home', sa.Text(), nullable=False),
    sa.Column('resume_path', sa.String(length=255), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_application_resubmission_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_resubmission'))
    )
    with op.batch_alter_table('application_resubmission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_resubmission_application_id'), ['application_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('application_resubmission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_resubmission_application_id'))

    op.drop_table('application_resubmission')
