"""provider exposure counts: how often each provider was recommended and answered, kept by
triggers

Revision ID: b7e3c1a9d2f4
Revises: 5a0d319813e2
Create Date: 2026-12-07 18:10:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b7e3c1a9d2f4"
down_revision = "5a0d319813e2"
branch_labels = None
depends_on = None

# The counted tables and the column of ``provider_exposure`` each one keeps.
COUNTED = {"recommendations": "recommended", "interests": "answered"}


def _postgresql(table: str, column: str) -> list[str]:
    """One row-level function per counted table: a row in adds one (an upsert, atomic under
    concurrent inserts), a row out takes one away; a changed provider does both."""
    function = f"provider_exposure_{column}"
    return [
        f"""
        CREATE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                UPDATE provider_exposure SET {column} = {column} - 1
                WHERE provider_id = OLD.provider_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                INSERT INTO provider_exposure (provider_id, {column})
                VALUES (NEW.provider_id, 1)
                ON CONFLICT (provider_id)
                DO UPDATE SET {column} = provider_exposure.{column} + 1;
            END IF;
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER {function} AFTER INSERT OR DELETE OR UPDATE OF provider_id ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}()
        """,
    ]


def _sqlite(table: str, column: str) -> list[str]:
    """The same counting as three triggers (SQLite has no trigger functions)."""
    add = f"""
        INSERT INTO provider_exposure (provider_id, {column}) VALUES (NEW.provider_id, 1)
        ON CONFLICT (provider_id) DO UPDATE SET {column} = {column} + 1;
    """
    remove = f"""
        UPDATE provider_exposure SET {column} = {column} - 1 WHERE provider_id = OLD.provider_id;
    """
    name = f"provider_exposure_{column}"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {name}_update AFTER UPDATE OF provider_id ON {table} "
        f"BEGIN {remove} {add} END",
    ]


def upgrade():
    op.create_table(
        "provider_exposure",
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("recommended", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("provider_id"),
    )
    op.create_index(
        op.f("ix_provider_exposure_recommended"), "provider_exposure", ["recommended"]
    )
    op.execute(
        """
        INSERT INTO provider_exposure (provider_id, recommended, answered)
        SELECT providers.id,
               (SELECT count(*) FROM recommendations
                WHERE recommendations.provider_id = providers.id),
               (SELECT count(*) FROM interests WHERE interests.provider_id = providers.id)
        FROM providers
        WHERE EXISTS (SELECT 1 FROM recommendations
                      WHERE recommendations.provider_id = providers.id)
           OR EXISTS (SELECT 1 FROM interests WHERE interests.provider_id = providers.id)
        """
    )
    triggers = _postgresql if op.get_bind().dialect.name == "postgresql" else _sqlite
    for table, column in COUNTED.items():
        for statement in triggers(table, column):
            op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, column in COUNTED.items():
        name = f"provider_exposure_{column}"
        if postgresql:
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {name}_{event}")
    op.drop_index(op.f("ix_provider_exposure_recommended"), table_name="provider_exposure")
    op.drop_table("provider_exposure")
