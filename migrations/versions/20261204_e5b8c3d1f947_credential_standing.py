"""credential standing

One row per active employee and credential type that can raise a warning (a required type with no
record, or the latest record of a type when it has an expiry date), kept by app.credentials.standing.
Existing employees' rows are filled here, with the same rules in SQL.

Revision ID: e5b8c3d1f947
Revises: c4a9e2f71b36
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b8c3d1f947'
down_revision = 'c4a9e2f71b36'
branch_labels = None
depends_on = None

user = sa.table("user", sa.column("id", sa.Integer), sa.column("active", sa.Boolean),
                sa.column("role_family", sa.String))
credential_type = sa.table("credential_type", sa.column("id", sa.Integer), sa.column("role_families", sa.JSON),
                           sa.column("archived_at", sa.DateTime))
record = sa.table("employee_credential", sa.column("id", sa.Integer), sa.column("employee_id", sa.Integer),
                  sa.column("credential_type_id", sa.Integer), sa.column("expires_on", sa.Date),
                  sa.column("archived_at", sa.DateTime))
standing = sa.table("credential_standing", sa.column("employee_id", sa.Integer),
                    sa.column("credential_type_id", sa.Integer), sa.column("expires_on", sa.Date))
COLUMNS = ["employee_id", "credential_type_id", "expires_on"]


def _fill() -> None:
    connection = op.get_bind()
    types = connection.execute(sa.select(credential_type.c.id, credential_type.c.role_families)
                               .where(credential_type.c.archived_at.is_(None))).all()
    for type_id, slugs in types:
        families = [slug.upper().replace("-", "_") for slug in slugs or []]  # 'front-desk' is FRONT_DESK
        if not families:
            continue
        missing = sa.select(user.c.id, sa.literal(type_id), sa.cast(sa.null(), sa.Date)).where(
            user.c.active, user.c.role_family.in_(families),
            ~sa.exists().where(record.c.employee_id == user.c.id, record.c.credential_type_id == type_id,
                               record.c.archived_at.is_(None)))
        connection.execute(standing.insert().from_select(COLUMNS, missing))
    newer = record.alias("newer")
    dated = (
        sa.select(record.c.employee_id, record.c.credential_type_id, record.c.expires_on)
        .join(user, user.c.id == record.c.employee_id)
        .join(credential_type, credential_type.c.id == record.c.credential_type_id)
        .where(user.c.active, record.c.archived_at.is_(None), credential_type.c.archived_at.is_(None),
               record.c.expires_on.is_not(None),
               ~sa.exists().where(newer.c.employee_id == record.c.employee_id,
                                  newer.c.credential_type_id == record.c.credential_type_id,
                                  newer.c.archived_at.is_(None),
                                  sa.or_(newer.c.expires_on.is_(None), newer.c.expires_on > record.c.expires_on,
                                         sa.and_(newer.c.expires_on == record.c.expires_on,
                                                 newer.c.id > record.c.id))))
    )
    connection.execute(standing.insert().from_select(COLUMNS, dated))


def upgrade():
    op.create_table('credential_standing',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('credential_type_id', sa.Integer(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['credential_type_id'], ['credential_type.id'], name=op.f('fk_credential_standing_credential_type_id_credential_type'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['user.id'], name=op.f('fk_credential_standing_employee_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('employee_id', 'credential_type_id', name=op.f('pk_credential_standing'))
    )
    with op.batch_alter_table('credential_standing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_standing_expires_on'), ['expires_on'], unique=False)
    _fill()


def downgrade():
    with op.batch_alter_table('credential_standing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_standing_expires_on'))

    op.drop_table('credential_standing')
