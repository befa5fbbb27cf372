"""site time zones

Each site gets an IANA time zone name; interview times are entered and shown in it. Existing
sites start in America/New_York, which an admin changes on the site form.

Revision ID: 3d7a9c51e2b8
Revises: 8e3f1a6c2b57
Create Date: 2026-12-04 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3d7a9c51e2b8'
down_revision = '8e3f1a6c2b57'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                      server_default='America/New_York'))


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
