"""Interests: a provider's answers to demands and the page both sides share."""

from .routes import bp  # noqa: F401
