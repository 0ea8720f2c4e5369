"""conversations of common-need projects: messages, read marks and reports belong to an
interest or to a common-need project; a project message records its writing organisation

Revision ID: e5e48d47f9b5
Revises: bbd8544a5b02
Create Date: 2026-12-07 14:09:55.136470

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e5e48d47f9b5"
down_revision = "bbd8544a5b02"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conversation_reads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("common_need_id", sa.Integer(), nullable=True))
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(
            "uq_conversation_reads_need_user", ["common_need_id", "user_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_conversation_reads_common_need_id_common_needs"),
            "common_needs",
            ["common_need_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("conversation_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("common_need_id", sa.Integer(), nullable=True))
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_conversation_reports_common_need_id"), ["common_need_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_conversation_reports_common_need_id_common_needs"),
            "common_needs",
            ["common_need_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("common_need_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organization_id", sa.Integer(), nullable=True))
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_messages_common_need_id"), ["common_need_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_common_need_id_common_needs"),
            "common_needs",
            ["common_need_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_messages_organization_id_organizations"),
            "organizations",
            ["organization_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    # the projects' conversations cannot exist without a project column: they go first
    project_messages = "SELECT id FROM messages WHERE common_need_id IS NOT NULL"
    op.execute(f"DELETE FROM attachments WHERE message_id IN ({project_messages})")
    op.execute("DELETE FROM messages WHERE common_need_id IS NOT NULL")
    op.execute("DELETE FROM conversation_reports WHERE common_need_id IS NOT NULL")
    op.execute("DELETE FROM conversation_reads WHERE common_need_id IS NOT NULL")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_messages_organization_id_organizations"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_messages_common_need_id_common_needs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_messages_common_need_id"))
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("organization_id")
        batch_op.drop_column("common_need_id")

    with op.batch_alter_table("conversation_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_conversation_reports_common_need_id_common_needs"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_conversation_reports_common_need_id"))
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("common_need_id")

    with op.batch_alter_table("conversation_reads", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_conversation_reads_common_need_id_common_needs"), type_="foreignkey"
        )
        batch_op.drop_constraint("uq_conversation_reads_need_user", type_="unique")
        batch_op.alter_column("interest_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("common_need_id")
