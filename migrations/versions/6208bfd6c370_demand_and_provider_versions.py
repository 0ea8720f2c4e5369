"""demand and provider versions

Demands and providers carry a version that every update moves (optimistic concurrency: a
write made from an older copy is refused). Existing rows start at 1.

Revision ID: 6208bfd6c370
Revises: 1118d86123ac
Create Date: 2026-12-07 06:05:59.318188

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6208bfd6c370'
down_revision = '1118d86123ac'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('demands', schema=None) as batch_op:
        batch_op.drop_column('version')

