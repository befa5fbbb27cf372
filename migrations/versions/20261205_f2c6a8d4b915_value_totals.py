"""value totals

The whole organization's training figures per value, the sums of value_summary, kept by
app.onboarding.summaries; filled here from the rows already summed.

Revision ID: f2c6a8d4b915
Revises: e5b8c3d1f947
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2c6a8d4b915'
down_revision = 'e5b8c3d1f947'
branch_labels = None
depends_on = None

FIGURES = ("assigned", "done", "overdue")
value_summary = sa.table("value_summary", sa.column("value_id", sa.Integer),
                         *(sa.column(name, sa.Integer) for name in FIGURES))
value_total = sa.table("value_total", sa.column("value_id", sa.Integer),
                       *(sa.column(name, sa.Integer) for name in FIGURES))


def upgrade():
    op.create_table('value_total',
    sa.Column('value_id', sa.Integer(), nullable=False),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['value_id'], ['value.id'], name=op.f('fk_value_total_value_id_value')),
    sa.PrimaryKeyConstraint('value_id', name=op.f('pk_value_total'))
    )
    sums = sa.select(value_summary.c.value_id, *(sa.func.sum(value_summary.c[name]) for name in FIGURES)).group_by(
        value_summary.c.value_id)
    op.get_bind().execute(value_total.insert().from_select(["value_id", *FIGURES], sums))


def downgrade():
    op.drop_table('value_total')
