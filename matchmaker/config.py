"""Settings: one pydantic-settings class, read from the environment once per process.

Every field is an environment variable of the same name and is documented in README's
configuration table (a test keeps the two equal). ``flask_config`` turns the settings into
the Flask configuration the app and its extensions read.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from search import parse_nodes

from . import private_files

PACKAGE = Path(__file__).resolve().parent
# The checkout around the package; an installed package has none, and its instance folder is
# the working directory's instance/ instead.
PROJECT_ROOT = PACKAGE.parent
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file()


def project_folder(name: str) -> Path:
    """templates/, static/ or migrations/: beside the package in a checkout, inside it when
    installed from a wheel (setup.cfg maps them into the package at build time)."""
    return (PROJECT_ROOT if IN_CHECKOUT else PACKAGE) / name


Positive = Annotated[int, Field(ge=1)]


class Settings(BaseSettings):
    """What an operator can set. Blank variables count as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    MATCHMAKER_INSTANCE_PATH: Path | None = None
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    PORT: Annotated[int, Field(ge=1, le=65535)] = 5000
    WEB_BIND: str | None = None
    WEB_WORKERS: Positive | None = None
    WEB_THREADS: Positive = 4
    WEB_TIMEOUT: Positive = 30
    TRUSTED_PROXIES: Annotated[int, Field(ge=0)] = 0
    LOG_FORMAT: Literal["json", "text"] = "json"
    LOG_LEVEL: str = "INFO"
    METRICS_TOKEN: str | None = None
    SERVER_NAME: str | None = None
    PREFERRED_URL_SCHEME: Literal["http", "https"] = "http"

    ELASTICSEARCH_URL: str | None = None
    ELASTICSEARCH_USERNAME: str | None = None
    ELASTICSEARCH_PASSWORD: str | None = None
    ELASTICSEARCH_API_KEY: str | None = None
    ELASTICSEARCH_CA_CERTS: str | None = None
    ELASTICSEARCH_VERIFY_CERTS: bool = True
    ELASTICSEARCH_TIMEOUT: Annotated[float, Field(gt=0)] = 5.0
    SEARCH_BREAKER_SECONDS: Annotated[float, Field(ge=0)] = 30.0
    SEARCH_INDEX_PREFIX: str = "matchmaker-"
    SEARCH_INDEX_REPLICAS: Annotated[int, Field(ge=0)] | None = None
    EMBEDDED_SEARCH_PATH: str | None = None

    UPLOAD_FOLDER: str | None = None
    MAX_UPLOAD_MB: Positive = 10
    UPLOAD_QUOTA_MB: Positive = 500
    SESSION_COOKIE_SECURE: bool = False
    RATELIMIT_ENABLED: bool = True
    RATELIMIT_STORAGE_URI: str = "memory://"
    LOGIN_RATE_LIMIT: str = "10 per minute"
    LOGIN_IP_RATE_LIMIT: str = "30 per minute"
    REGISTER_RATE_LIMIT: str = "10 per hour"
    REMEMBER_DAYS: Positive = 30
    LOGIN_SESSION_HOURS: Positive = 12
    API_TOKEN_TTL_HOURS: Positive = 24
    API_MAX_BODY_BYTES: Positive = 1024 * 1024
    ARGON2_TIME_COST: Positive = 3
    ARGON2_MEMORY_KIB: Annotated[int, Field(ge=8)] = 65536
    ARGON2_PARALLELISM: Positive = 4

    GUIDE_PDF_FONT: str | None = None
    GUIDE_PDF_FALLBACK_FONT: str | None = None

    REDIS_URL: str | None = None

    MAIL_SERVER: str | None = None
    MAIL_PORT: Annotated[int, Field(ge=1, le=65535)] = 25
    MAIL_SENDER: str = "noreply@matchmaker.local"
    PASSWORD_RESET_MINUTES: Positive = 60
    MAIL_LINK_RATE_LIMIT: str = "5 per hour"

    @field_validator("ELASTICSEARCH_URL")
    @classmethod
    def _nodes(cls, value: str | None) -> str | None:
        """One URL or several, comma-separated: every one must be an http(s) address."""
        return None if value is None else ",".join(parse_nodes(value))

    @model_validator(mode="after")
    def _mailed_links_need_the_public_address(self) -> Settings:
        """E-mailed links (password resets, confirmations, invitations) must point at the
        public address: without SERVER_NAME they would follow the Host header of whoever
        asked, and a reset requested with a forged Host would mail the owner a link to the
        asker's server."""
        if self.MAIL_SERVER and not self.SERVER_NAME:
            raise ValueError(
                "SERVER_NAME must be set when MAIL_SERVER is: e-mailed links point at it"
            )
        return self

    @field_validator("DATABASE_URL")
    @classmethod
    def _psycopg(cls, value: str | None) -> str | None:
        """``postgres://`` and ``postgresql://`` mean psycopg 3, the driver that is installed."""
        for scheme in ("postgres://", "postgresql://"):
            if value and value.startswith(scheme):
                return "postgresql+psycopg://" + value[len(scheme) :]
        return value

    def instance_path(self) -> Path:
        if self.MATCHMAKER_INSTANCE_PATH:
            return self.MATCHMAKER_INSTANCE_PATH
        return (PROJECT_ROOT if IN_CHECKOUT else Path.cwd()) / "instance"

    def flask_config(self) -> dict:
        """The Flask configuration these settings mean (tests override single keys)."""
        instance = self.instance_path()
        secure = self.SESSION_COOKIE_SECURE
        return {
            "SECRET_KEY": self.SECRET_KEY or _instance_secret(instance),
            "SQLALCHEMY_DATABASE_URI": self.DATABASE_URL
            or f"sqlite:///{instance / 'matchmaker.sqlite3'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "SERVER_NAME": self.SERVER_NAME,
            "PREFERRED_URL_SCHEME": self.PREFERRED_URL_SCHEME,
            "PORT": self.PORT,
            "ELASTICSEARCH_URL": self.ELASTICSEARCH_URL,
            "ELASTICSEARCH_USERNAME": self.ELASTICSEARCH_USERNAME,
            "ELASTICSEARCH_PASSWORD": self.ELASTICSEARCH_PASSWORD,
            "ELASTICSEARCH_API_KEY": self.ELASTICSEARCH_API_KEY,
            "ELASTICSEARCH_CA_CERTS": self.ELASTICSEARCH_CA_CERTS,
            "ELASTICSEARCH_VERIFY_CERTS": self.ELASTICSEARCH_VERIFY_CERTS,
            "ELASTICSEARCH_TIMEOUT": self.ELASTICSEARCH_TIMEOUT,
            "SEARCH_BREAKER_SECONDS": self.SEARCH_BREAKER_SECONDS,
            "SEARCH_INDEX_PREFIX": self.SEARCH_INDEX_PREFIX,
            "SEARCH_INDEX_REPLICAS": self.SEARCH_INDEX_REPLICAS,
            "EMBEDDED_SEARCH_PATH": self.EMBEDDED_SEARCH_PATH or str(instance / "search.sqlite3"),
            "UPLOAD_FOLDER": self.UPLOAD_FOLDER or str(instance / "uploads"),
            "MAX_CONTENT_LENGTH": self.MAX_UPLOAD_MB * 1024 * 1024,
            "UPLOAD_QUOTA_BYTES": self.UPLOAD_QUOTA_MB * 1024 * 1024,
            "SESSION_COOKIE_SECURE": secure,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_DAYS": self.REMEMBER_DAYS,
            "REMEMBER_COOKIE_DURATION": dt.timedelta(days=self.REMEMBER_DAYS),
            "LOGIN_SESSION_HOURS": self.LOGIN_SESSION_HOURS,
            "RATELIMIT_ENABLED": self.RATELIMIT_ENABLED,
            "RATELIMIT_STORAGE_URI": self.RATELIMIT_STORAGE_URI,
            # every budget (sign-in, registration, mailed links) a moving window: no burst
            # around the end of a fixed window doubles it (matchmaker/throttle.py)
            "RATELIMIT_STRATEGY": "moving-window",
            "LOGIN_RATE_LIMIT": self.LOGIN_RATE_LIMIT,
            "LOGIN_IP_RATE_LIMIT": self.LOGIN_IP_RATE_LIMIT,
            "REGISTER_RATE_LIMIT": self.REGISTER_RATE_LIMIT,
            "API_TOKEN_TTL_HOURS": self.API_TOKEN_TTL_HOURS,
            "API_MAX_BODY_BYTES": self.API_MAX_BODY_BYTES,
            "ARGON2_TIME_COST": self.ARGON2_TIME_COST,
            "ARGON2_MEMORY_KIB": self.ARGON2_MEMORY_KIB,
            "ARGON2_PARALLELISM": self.ARGON2_PARALLELISM,
            "GUIDE_PDF_FONT": self.GUIDE_PDF_FONT,
            "GUIDE_PDF_FALLBACK_FONT": self.GUIDE_PDF_FALLBACK_FONT,
            "REDIS_URL": self.REDIS_URL,
            "MAIL_SERVER": self.MAIL_SERVER,
            "MAIL_PORT": self.MAIL_PORT,
            "MAIL_SENDER": self.MAIL_SENDER,
            "PASSWORD_RESET_MINUTES": self.PASSWORD_RESET_MINUTES,
            "MAIL_LINK_RATE_LIMIT": self.MAIL_LINK_RATE_LIMIT,
            "LOG_FORMAT": self.LOG_FORMAT,
            "LOG_LEVEL": self.LOG_LEVEL,
            "METRICS_TOKEN": self.METRICS_TOKEN,
            "TRUSTED_PROXIES": self.TRUSTED_PROXIES,
            "BABEL_DEFAULT_LOCALE": "zh",
            "LANGUAGES": ["zh", "en"],
        }


def _instance_secret(instance_path: Path) -> str:
    """A stable secret key for one installation, generated on first run."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        private_files.create(key_file, secrets.token_hex(32).encode())
    return key_file.read_text().strip()


def server_settings() -> dict:
    """How `matchmaker serve` runs gunicorn (read before any app exists)."""
    settings = Settings()
    return {
        "bind": settings.WEB_BIND or f"127.0.0.1:{settings.PORT}",
        "workers": settings.WEB_WORKERS or os.cpu_count() or 1,
        "threads": settings.WEB_THREADS,
        "timeout": settings.WEB_TIMEOUT,
    }
