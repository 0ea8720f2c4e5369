"""Fixtures in the style of Flask's tutorial: app, client, runner, and role helpers.

The database is SQLite unless TEST_DATABASE_URL points at PostgreSQL; the schema is built
once per run with the real migrations, and every test starts from empty tables.
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import create_engine, text

from matchmaker import create_app
from matchmaker.extensions import db
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

# Hypothesis (and schemathesis through it) keeps its example database and caches in a
# temporary directory, removed at exit, instead of .hypothesis/ in the checkout.
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="matchmaker-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME.name)


def _database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    if os.environ.get("MATCHMAKER_REQUIRE_POSTGRES") and not os.environ.get("TEST_POSTGRES_URL"):
        pytest.fail("CI requires the PostgreSQL pass, but TEST_POSTGRES_URL is not set")
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def base_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ELASTICSEARCH_URL": None,
        "EMBEDDED_SEARCH_PATH": str(tmp_path / "search.sqlite3"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_SERVER": None,
        # cheap argon2id: the cost is a deployment setting, not what these tests check
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
    }


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Tests may change this mapping before the ``app`` fixture is created."""
    return base_config(database_url, tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        backend = app.extensions.get("search")
        if backend is not None:
            backend.drop_all()
            backend.close()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories bound to the test database (see tests/factories.py)."""
    return factories.Factories(db.session)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)
