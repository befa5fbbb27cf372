"""credentialing events and privileges

When HR recorded that an employee was credentialed or re-credentialed (the latest sets the next due date, two
years on), and the clinical privileges granted to each employee for their credentialing file; both archived,
never deleted.

Revision ID: c9a5d1e7b243
Revises: b7e3f9a04c12
Create Date: 2026-12-04 02:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9a5d1e7b243'
down_revision = 'b7e3f9a04c12'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('credentialing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('credentialed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['user.id'], name=op.f('fk_credentialing_event_employee_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_credentialing_event_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credentialing_event'))
    )
    with op.batch_alter_table('credentialing_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credentialing_event_credentialed_on'), ['credentialed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentialing_event_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credentialing_event_recorded_by_id'), ['recorded_by_id'], unique=False)
    op.create_table('privilege',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('granted_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['user.id'], name=op.f('fk_privilege_employee_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_privilege_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privilege'))
    )
    with op.batch_alter_table('privilege', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privilege_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_privilege_recorded_by_id'), ['recorded_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('privilege', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privilege_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_privilege_employee_id'))
    op.drop_table('privilege')
    with op.batch_alter_table('credentialing_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credentialing_event_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_credentialing_event_employee_id'))
        batch_op.drop_index(batch_op.f('ix_credentialing_event_credentialed_on'))
    op.drop_table('credentialing_event')
