"""scheduled interviews

An application's interview gets a time (stored in UTC, with the site's time zone it was entered
in), a length, a place or video link and a panel of interviewers; the sequence counts the versions
of its calendar invitation. Cancelled interviews and panelists taken off are kept.

Revision ID: 9b4e2f7a1c63
Revises: 3d7a9c51e2b8
Create Date: 2026-12-04 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b4e2f7a1c63'
down_revision = '3d7a9c51e2b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minutes >= 5 AND minutes <= 480', name=op.f('ck_interview_minutes_range')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_interview_ends_after_start')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_interview_application_id_application')),
    sa.ForeignKeyConstraint(['organizer_id'], ['user.id'], name=op.f('fk_interview_organizer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview'))
    )
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_organizer_id'), ['organizer_id'], unique=False)

    op.create_table('interview_panelist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'],
                            name=op.f('fk_interview_panelist_interview_id_interview')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['user.id'], name=op.f('fk_interview_panelist_interviewer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_panelist')),
    sa.UniqueConstraint('interview_id', 'interviewer_id', name=op.f('uq_interview_panelist_interview_id_interviewer_id'))
    )
    with op.batch_alter_table('interview_panelist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_panelist_interview_id'), ['interview_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interview_panelist_interviewer_id'), ['interviewer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interview_panelist', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_panelist_interviewer_id'))
        batch_op.drop_index(batch_op.f('ix_interview_panelist_interview_id'))
    op.drop_table('interview_panelist')

    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_organizer_id'))
        batch_op.drop_index(batch_op.f('ix_interview_ends_at'))
        batch_op.drop_index(batch_op.f('ix_interview_starts_at'))
        batch_op.drop_index(batch_op.f('ix_interview_application_id'))
    op.drop_table('interview')
