"""Settings: README's table and the settings class agree, and every variable takes effect."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from matchmaker.config import PROJECT_ROOT, Settings
from matchmaker.extensions import db
from matchmaker.search_engine import get_search
from matchmaker.services import pdf_document as pdf
from search import parse_nodes
from tests import factories

README = PROJECT_ROOT / "README.md"


def readme_variables() -> set[str]:
    """Every variable named in the first column of README's configuration table."""
    section = README.read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


@pytest.fixture
def environment(monkeypatch):
    """A clean environment: only what the test sets."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_readme_table_lists_exactly_the_settings():
    assert readme_variables() == set(Settings.model_fields)


def test_defaults_and_blank_variables(environment):
    environment.setenv("ELASTICSEARCH_URL", "")
    environment.setenv("MAX_UPLOAD_MB", "")
    settings = Settings()
    assert settings.ELASTICSEARCH_URL is None
    config = settings.flask_config()
    assert config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    assert config["LOGIN_IP_RATE_LIMIT"] == "30 per minute"
    assert config["API_MAX_BODY_BYTES"] == 1024 * 1024


def test_database_url_schemes_mean_psycopg(environment):
    environment.setenv("DATABASE_URL", "postgres://u:p@db:5432/mm")
    assert Settings().DATABASE_URL == "postgresql+psycopg://u:p@db:5432/mm"


def test_several_elasticsearch_nodes_with_replicas_and_timeout(environment, app):
    environment.setenv(
        "ELASTICSEARCH_URL",
        " http://es1.internal:9200 , https://es2.internal:9243/,http://[::1]:9201",
    )
    environment.setenv("SEARCH_INDEX_REPLICAS", "2")
    environment.setenv("ELASTICSEARCH_TIMEOUT", "2.5")
    settings = Settings()
    assert settings.ELASTICSEARCH_URL == (
        "http://es1.internal:9200,https://es2.internal:9243,http://[::1]:9201"
    )
    app.config.update(settings.flask_config())
    app.extensions["search"] = None
    backend = get_search(app)
    try:
        nodes = {
            (n.config.scheme, n.config.host, n.config.port)
            for n in backend.client.transport.node_pool.all()
        }
        assert nodes == {
            ("http", "es1.internal", 9200),
            ("https", "es2.internal", 9243),
            ("http", "::1", 9201),
        }
        assert backend.replicas == 2
        assert backend.client._request_timeout == 2.5
    finally:
        backend.close()
        app.extensions["search"] = None


@pytest.mark.parametrize(
    "value",
    ["", " , ", "es1.internal:9200", "ftp://es1.internal", "http://", "http://es1:port"],
)
def test_node_urls_that_are_not_urls_are_refused(value):
    with pytest.raises(ValueError):
        parse_nodes(value)


@pytest.mark.parametrize(
    "name, value",
    [
        ("ELASTICSEARCH_URL", "http://es1:9200,es2:9200"),
        ("SEARCH_INDEX_REPLICAS", "-1"),
        ("ELASTICSEARCH_TIMEOUT", "0"),
        ("API_MAX_BODY_BYTES", "a lot"),
        ("PREFERRED_URL_SCHEME", "ftp"),
        ("MAIL_PORT", "70000"),
    ],
)
def test_bad_values_stop_the_start_naming_the_variable(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert name in str(caught.value)


def test_mail_needs_the_public_address(environment):
    """A reset link must never be built from the Host header of whoever asked for it."""
    environment.setenv("MAIL_SERVER", "smtp.example.cn")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert "SERVER_NAME must be set when MAIL_SERVER is" in str(caught.value)
    environment.setenv("SERVER_NAME", "matchmaker.example.cn")
    assert Settings().flask_config()["SERVER_NAME"] == "matchmaker.example.cn"


def test_api_limits_come_from_the_environment(environment, app_config, request):
    """The app (created after the environment is set) applies the body and sign-in limits."""
    environment.setenv("API_MAX_BODY_BYTES", "2000")
    environment.setenv("LOGIN_RATE_LIMIT", "2 per minute")  # failures per account, API too
    for key in ("RATELIMIT_ENABLED",):  # the test default turns limits off
        app_config.pop(key)
    app = request.getfixturevalue("app")
    client = app.test_client()
    user = factories.Factories(db.session).admin()
    big = {"email": user.email, "password": "x" * 3000}
    assert client.post("/api/v1/auth/token", json=big).status_code == 413
    wrong = {"email": user.email, "password": "wrong-password"}
    statuses = [client.post("/api/v1/auth/token", json=wrong).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_guide_fonts_come_from_the_environment(environment, tmp_path):
    shipped = PROJECT_ROOT / "static" / "fonts" / "NotoSansSC-Subset-Regular.ttf"
    environment.setenv("GUIDE_PDF_FONT", f"{shipped}#0")
    config = Settings().flask_config()
    assert pdf.font_spec(config) == (shipped, 0)

    environment.setenv("GUIDE_PDF_FONT", str(tmp_path / "missing.ttf"))
    with pytest.raises(pdf.FontMissing, match="missing.ttf"):
        pdf.font_spec(Settings().flask_config())

    environment.setenv("GUIDE_PDF_FONT", str(shipped))
    environment.setenv("GUIDE_PDF_FALLBACK_FONT", str(tmp_path / "fallback.ttf"))
    with pytest.raises(pdf.FontMissing, match="fallback.ttf"):
        pdf.fallback_spec(Settings().flask_config())
    environment.setenv("GUIDE_PDF_FALLBACK_FONT", f"{shipped}#0")
    assert pdf.fallback_spec(Settings().flask_config()) == (shipped, 0)
