"""Demand pages: an enterprise's own demands and the providers' leads page."""

from .routes import bp  # noqa: F401
