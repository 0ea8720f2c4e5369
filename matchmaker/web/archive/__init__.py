"""Layered archives (/admin/archive)."""

from .routes import bp  # noqa: F401
