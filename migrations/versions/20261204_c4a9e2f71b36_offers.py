"""offers

An offer on an application is versioned (a revision is a new row, earlier versions kept) and keeps
the letter as it was sent; the organization's offer letter template is one row HR edits.

Revision ID: c4a9e2f71b36
Revises: c9a5d1e7b243
Create Date: 2026-12-04 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a9e2f71b36'
down_revision = 'c9a5d1e7b243'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('pay_cents', sa.Integer(), nullable=False),
    sa.Column('pay_period', sa.Enum('HOUR', 'YEAR', name='payperiod', native_enum=False, length=32), nullable=False),
    sa.Column('employment_type', sa.Enum('FULL_TIME', 'PART_TIME', 'PER_DIEM', 'TEMPORARY', 'CONTRACTOR',
                                         name='employmenttype', native_enum=False, length=32), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'SENT', 'ACCEPTED', 'DECLINED', 'SUPERSEDED', name='offerstatus',
                                native_enum=False, length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('letter_subject', sa.String(length=200), nullable=False),
    sa.Column('letter_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pay_cents > 0', name=op.f('ck_offer_pay_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_offer_version_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_offer_application_id_application')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_offer_approved_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_offer_created_by_id_user')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_offer_sent_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer')),
    sa.UniqueConstraint('application_id', 'version', name=op.f('uq_offer_application_id_version'))
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_approved_by_id'), ['approved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_sent_by_id'), ['sent_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_status'), ['status'], unique=False)

    op.create_table('offer_letter_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_letter_template'))
    )


def downgrade():
    op.drop_table('offer_letter_template')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_status'))
        batch_op.drop_index(batch_op.f('ix_offer_sent_by_id'))
        batch_op.drop_index(batch_op.f('ix_offer_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_offer_approved_by_id'))
        batch_op.drop_index(batch_op.f('ix_offer_application_id'))

    op.drop_table('offer')
