"""an address is unique among confirmed accounts only; reviews remember when they turned public

Registrations waiting for their confirmation may share an address with another account
(docs/security.md, P8), so the unique constraint on users.email becomes a partial unique
index over confirmed accounts. reviews.revealed_at lets a job re-index a provider once a
review turns public by the passage of time.

Downgrading restores the plain unique constraint: a waiting registration that shares its
address with another account gets the address prefixed with ``dup<id>-`` first.

Revision ID: bbd8544a5b02
Revises: 6d9bc60aac44
Create Date: 2026-12-07 11:12:57.263073

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "bbd8544a5b02"
down_revision = "6d9bc60aac44"
branch_labels = None
depends_on = None

CONFIRMED = sa.text("email_confirmed_at IS NOT NULL")


def upgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revealed_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_email"), type_="unique")
        batch_op.create_index(
            "uq_users_confirmed_email",
            ["email"],
            unique=True,
            sqlite_where=CONFIRMED,
            postgresql_where=CONFIRMED,
        )


def downgrade():
    op.execute(
        "UPDATE users SET email = 'dup' || CAST(id AS VARCHAR(20)) || '-' || email "
        "WHERE email_confirmed_at IS NULL AND EXISTS ("
        "SELECT 1 FROM users AS other WHERE other.email = users.email AND other.id != users.id "
        "AND (other.email_confirmed_at IS NOT NULL OR other.id < users.id))"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_users_confirmed_email", sqlite_where=CONFIRMED, postgresql_where=CONFIRMED
        )
        batch_op.create_unique_constraint(batch_op.f("uq_users_email"), ["email"])

    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_column("revealed_at")
