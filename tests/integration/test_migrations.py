"""Migrations go from empty to head and back down on the test database (SQLite or PostgreSQL)."""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from matchmaker import create_app
from matchmaker.extensions import db

EXPECTED = {
    "organizations",
    "users",
    "providers",
    "cases",
    "demands",
    "interests",
    "invitations",
    "notifications",
    "audit_events",
    "index_outbox",
    "recommendations",
    "saved_searches",
    "api_tokens",
    "attachments",
    "import_jobs",
    "guides",
    "guide_subscriptions",
    "meetings",
    "meeting_pairs",
    "meeting_invitees",
}


def _url(database_url, tmp_path) -> str:
    """A schema of its own on the PostgreSQL test database, or a new SQLite file."""
    if database_url.startswith("postgresql"):
        url = database_url
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text("DROP SCHEMA IF EXISTS migration_check CASCADE; CREATE SCHEMA migration_check")
            )
        engine.dispose()
        return url + ("&" if "?" in url else "?") + "options=-csearch_path%3Dmigration_check"
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


def test_upgrade_to_head_and_back_down(database_url, tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _url(database_url, tmp_path),
            "TESTING": True,
            "SECRET_KEY": "x",
        }
    )
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert EXPECTED <= tables
        # the schema the migrations build is the schema the models describe
        for table in db.metadata.sorted_tables:
            columns = {c["name"] for c in inspect(db.engine).get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set()
        upgrade()
        assert EXPECTED <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_stored_invitations_forget_the_enterprise(database_url, tmp_path):
    """Old "invited" notifications kept the enterprise's name: the upgrade removes it."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _url(database_url, tmp_path),
            "TESTING": True,
            "SECRET_KEY": "x",
        }
    )
    with app.app_context():
        upgrade(revision="1e72a51a00f2")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, role, active, created_at) "
                    "VALUES (1, 'p@example.cn', 'x', 'provider', true, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO notifications (user_id, kind, params, created_at) VALUES "
                    "(1, 'invited', :invited, '2026-01-01'), "
                    "(1, 'demand_closed', :other, '2026-01-01')"
                ),
                {
                    "invited": '{"title": "外观设计", "enterprise": "永川机械厂"}',
                    "other": '{"title": "外观设计"}',
                },
            )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT params FROM notifications ORDER BY id")).scalars()
            stored = [json.loads(p) if isinstance(p, str) else p for p in rows]
        assert stored == [{"title": "外观设计"}, {"title": "外观设计"}]
        downgrade(revision="base")
        db.engine.dispose()
