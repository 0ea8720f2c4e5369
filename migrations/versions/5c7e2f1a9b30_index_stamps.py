"""index stamps: a token per search index that every delivered change replaces

The engine's answers are kept per web process under the stamp of the index they came from
(services/engine_cache.py); a missing row means "unknown", and nothing is kept.

Revision ID: 5c7e2f1a9b30
Revises: e5e48d47f9b5
Create Date: 2026-12-07 14:45:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c7e2f1a9b30"
down_revision = "e5e48d47f9b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "index_stamps",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_index_stamps")),
    )


def downgrade():
    op.drop_table("index_stamps")
