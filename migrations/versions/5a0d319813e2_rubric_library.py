"""rubric library: rubrics defined once, versioned, used by accreditation rounds and showcase
years

Revision ID: 5a0d319813e2
Revises: 5c7e2f1a9b30
Create Date: 2026-12-07 15:01:13.326641

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5a0d319813e2"
down_revision = "5c7e2f1a9b30"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rubrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rubrics_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubrics")),
        sa.UniqueConstraint("family_id", "version", name="uq_rubrics_family_version"),
    )
    with op.batch_alter_table("rubrics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rubrics_family_id"), ["family_id"], unique=False)

    with op.batch_alter_table("accreditation_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rubric_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_accreditation_rounds_rubric_id_rubrics"),
            "rubrics",
            ["rubric_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("showcase_years", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rubric_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_showcase_years_rubric_id_rubrics"),
            "rubrics",
            ["rubric_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("showcase_years", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_showcase_years_rubric_id_rubrics"), type_="foreignkey"
        )
        batch_op.drop_column("rubric_id")

    with op.batch_alter_table("accreditation_rounds", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_accreditation_rounds_rubric_id_rubrics"), type_="foreignkey"
        )
        batch_op.drop_column("rubric_id")

    with op.batch_alter_table("rubrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rubrics_family_id"))

    op.drop_table("rubrics")
