"""credential type seed name

The name a credential type was seeded under, kept when HR renames it, so `flask seed` (which only adds the
types the database lacks) does not add a renamed type back under its old name.

Revision ID: a4d2c8e61f30
Revises: 9b4e2f7a1c63
Create Date: 2026-12-04 02:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d2c8e61f30'
down_revision = '9b4e2f7a1c63'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('credential_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_name', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_credential_type_seed_name'), ['seed_name'])
    # Every type so far came from the seed file under its present name.
    op.execute("UPDATE credential_type SET seed_name = name")


def downgrade():
    with op.batch_alter_table('credential_type', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_credential_type_seed_name'), type_='unique')
        batch_op.drop_column('seed_name')
