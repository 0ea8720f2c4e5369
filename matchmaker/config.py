"""Configuration from environment variables; every setting has a working default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_secret(instance_path: Path) -> str:
    """A stable secret key for one installation, generated on first run."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def server_settings() -> dict:
    """How `matchmaker serve` runs gunicorn (read before any app exists)."""
    return {
        "bind": os.environ.get("WEB_BIND") or f"127.0.0.1:{os.environ.get('PORT') or 5000}",
        "workers": int(os.environ.get("WEB_WORKERS") or os.cpu_count() or 1),
        "threads": int(os.environ.get("WEB_THREADS") or 4),
        "timeout": int(os.environ.get("WEB_TIMEOUT") or 30),
    }


def from_environment(instance_path: Path) -> dict:
    """Settings read at app creation; tests override by passing a mapping to create_app."""
    database_url = (
        os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'matchmaker.sqlite3'}"
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ELASTICSEARCH_URL": os.environ.get("ELASTICSEARCH_URL") or None,
        "ELASTICSEARCH_USERNAME": os.environ.get("ELASTICSEARCH_USERNAME") or None,
        "ELASTICSEARCH_PASSWORD": os.environ.get("ELASTICSEARCH_PASSWORD") or None,
        "ELASTICSEARCH_API_KEY": os.environ.get("ELASTICSEARCH_API_KEY") or None,
        "ELASTICSEARCH_CA_CERTS": os.environ.get("ELASTICSEARCH_CA_CERTS") or None,
        "ELASTICSEARCH_VERIFY_CERTS": _bool("ELASTICSEARCH_VERIFY_CERTS", True),
        "SEARCH_INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", "matchmaker-"),
        "SEARCH_INDEX_REPLICAS": os.environ.get("SEARCH_INDEX_REPLICAS") or None,
        "ELASTICSEARCH_TIMEOUT": os.environ.get("ELASTICSEARCH_TIMEOUT") or None,
        "EMBEDDED_SEARCH_PATH": os.environ.get("EMBEDDED_SEARCH_PATH")
        or str(instance_path / "search.sqlite3"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(instance_path / "uploads"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_KIB": int(os.environ.get("ARGON2_MEMORY_KIB", "65536")),
        "ARGON2_PARALLELISM": int(os.environ.get("ARGON2_PARALLELISM", "4")),
        "API_TOKEN_TTL_HOURS": int(os.environ.get("API_TOKEN_TTL_HOURS", "24")),
        "BABEL_DEFAULT_LOCALE": "zh",
        "LANGUAGES": ["zh", "en"],
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "noreply@matchmaker.local"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
    }
