"""new hire index

The report's new hires read a range of start dates, with active and name, from one index; it
replaces the index on start date alone, which it also serves.

Revision ID: a8d3e5f17c42
Revises: f2c6a8d4b915
Create Date: 2026-12-05 11:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a8d3e5f17c42'
down_revision = 'f2c6a8d4b915'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_start_date')
        batch_op.create_index('ix_user_start_date_active_name', ['start_date', 'active', 'name'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_start_date_active_name')
        batch_op.create_index('ix_user_start_date', ['start_date'], unique=False)
