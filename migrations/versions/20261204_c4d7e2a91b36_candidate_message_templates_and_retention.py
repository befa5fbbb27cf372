"""candidate message templates and retention

Each organization edits the letters a candidate gets on a stage change (screening, interview,
rejection): one row per letter. Applications of candidates not hired are anonymized after the
retention period; anonymized_at records when, so the command that does it runs safely again.

Revision ID: c4d7e2a91b36
Revises: 8e3f1a6c2b57
Create Date: 2026-12-04 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d7e2a91b36'
down_revision = '8e3f1a6c2b57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('message_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user.id'], name=op.f('fk_message_template_edited_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_template')),
    sa.UniqueConstraint('key', name=op.f('uq_message_template_key'))
    )
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_template_edited_by_id'), ['edited_by_id'], unique=False)
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymized_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_column('anonymized_at')
    with op.batch_alter_table('message_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_template_edited_by_id'))

    op.drop_table('message_template')
