"""In-app notifications."""

from .routes import bp  # noqa: F401
