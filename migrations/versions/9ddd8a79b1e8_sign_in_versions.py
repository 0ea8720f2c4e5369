"""sign-in version on users, sessions and tokens

A password change, "sign out everywhere" and deactivation move users.sign_in_version; a
session or API token works only while the version it was stamped with is the user's.
Existing rows all start at 0, so nobody is signed out by the upgrade.

Revision ID: 9ddd8a79b1e8
Revises: 6208bfd6c370
Create Date: 2026-12-07 08:08:49.049652

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9ddd8a79b1e8"
down_revision = "6208bfd6c370"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("user_version", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("user_version", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_in_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sign_in_version")

    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("user_version")

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("user_version")
