"""check-ins

30/60/90-day check-ins: a schedule of days per role family, one check-in per employee and day, and
the self and manager ratings of each value (amendments add a revision and supersede the earlier one).

Revision ID: 3766dced6d1d
Revises: fff9e48d6f8a
Create Date: 2026-12-03 18:37:21.762464

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3766dced6d1d'
down_revision = 'fff9e48d6f8a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('check_in_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_family', sa.Enum('MEDICAL_ASSISTANT', 'NURSE_CARE_MANAGER', 'PRIMARY_CARE_PROVIDER', 'FRONT_DESK', 'COMMUNITY_HEALTH_WORKER', 'BEHAVIORAL_HEALTH_CONSULTANT', 'PRACTICE_MANAGER', name='rolefamily', native_enum=False, length=32), nullable=True),
    sa.Column('offsets', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_schedule')),
    sa.UniqueConstraint('role_family', name=op.f('uq_check_in_schedule_role_family'))
    )
    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('self_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('manager_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('day > 0', name=op.f('ck_check_in_day_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_check_in_application_id_application')),
    sa.ForeignKeyConstraint(['employee_id'], ['user.id'], name=op.f('fk_check_in_employee_id_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['manager_id'], ['user.id'], name=op.f('fk_check_in_manager_id_user')),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_check_in_rubric_id_rubric')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in')),
    sa.UniqueConstraint('employee_id', 'day', name=op.f('uq_check_in_employee_id_day'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_rubric_id'), ['rubric_id'], unique=False)

    op.create_table('check_in_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_in_id', sa.Integer(), nullable=False),
    sa.Column('rater', sa.Enum('SELF', 'MANAGER', name='rater', native_enum=False, length=32), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('value_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('amendment_reason', sa.Text(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_check_in_rating_score_range')),
    sa.ForeignKeyConstraint(['check_in_id'], ['check_in.id'], name=op.f('fk_check_in_rating_check_in_id_check_in'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rater_id'], ['user.id'], name=op.f('fk_check_in_rating_rater_id_user')),
    sa.ForeignKeyConstraint(['value_id'], ['value.id'], name=op.f('fk_check_in_rating_value_id_value')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_rating')),
    sa.UniqueConstraint('check_in_id', 'rater', 'value_id', 'revision', name=op.f('uq_check_in_rating_check_in_id_rater_value_id_revision'))
    )
    with op.batch_alter_table('check_in_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_rating_check_in_id'), ['check_in_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_rating_rater_id'), ['rater_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_rating_value_id'), ['value_id'], unique=False)



def downgrade():
    with op.batch_alter_table('check_in_rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_rating_value_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_rating_rater_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_rating_check_in_id'))

    op.drop_table('check_in_rating')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_rubric_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_manager_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_employee_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_due_date'))
        batch_op.drop_index(batch_op.f('ix_check_in_completed_at'))
        batch_op.drop_index(batch_op.f('ix_check_in_application_id'))

    op.drop_table('check_in')
    op.drop_table('check_in_schedule')
