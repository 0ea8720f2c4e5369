"""Diagnostic visit pages: request, arrange, report, and recommendations to draft demands."""

from .routes import bp  # noqa: F401
