"""candidate link uses

The signed links in candidates' e-mails (withdrawing an application) work once: a row records
each use, one per application and purpose.

Revision ID: 5b1c7e9a2d40
Revises: 5c1e7a2b9d40
Create Date: 2026-12-04 00:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1c7e9a2d40'
down_revision = '5c1e7a2b9d40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('candidate_link_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                            name=op.f('fk_candidate_link_use_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate_link_use')),
    sa.UniqueConstraint('application_id', 'purpose', name=op.f('uq_candidate_link_use_application_id_purpose'))
    )
    with op.batch_alter_table('candidate_link_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_candidate_link_use_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('candidate_link_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidate_link_use_application_id'))

    op.drop_table('candidate_link_use')
