"""invitation notifications no longer keep the inviting enterprise's name

Providers must not learn which enterprise posted a demand before it accepts their interest.
The "invited" notification used to store the enterprise's name in its params; it is no
longer written or shown, and this removes it from the rows already stored.

Revision ID: 5a1c0e7d2b91
Revises: a176aaf8c55c
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a1c0e7d2b91'
down_revision = 'a176aaf8c55c'
branch_labels = None
depends_on = None

notifications = sa.table(
    'notifications',
    sa.column('id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('params', sa.JSON),
)


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notifications.c.id, notifications.c.params).where(
            notifications.c.kind == 'invited'
        )
    ).all()
    for row_id, params in rows:
        if isinstance(params, dict) and 'enterprise' in params:
            kept = {k: v for k, v in params.items() if k != 'enterprise'}
            connection.execute(
                notifications.update().where(notifications.c.id == row_id).values(params=kept)
            )


def downgrade():
    pass  # the names are gone on purpose
