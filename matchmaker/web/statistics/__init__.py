"""The statistics dashboard and its exports."""

from .routes import bp  # noqa: F401
