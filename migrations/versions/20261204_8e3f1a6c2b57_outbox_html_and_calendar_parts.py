"""outbox html and calendar parts

An outbox message can carry an HTML version of its body (letters such as an offer) and an iCalendar
object (interview invitations, their updates and cancellations). Both default to empty, so every
message already recorded stays plain text.

Revision ID: 8e3f1a6c2b57
Revises: 5b1c7e9a2d40
Create Date: 2026-12-04 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e3f1a6c2b57'
down_revision = '5b1c7e9a2d40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html_body', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('calendar', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('calendar')
        batch_op.drop_column('html_body')
