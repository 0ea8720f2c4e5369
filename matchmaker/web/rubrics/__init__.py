"""The rubric library's pages (administrators)."""

from .routes import bp  # noqa: F401
