"""Matchmaking meetings and diagnostic meetings (with their expert slots)."""

from . import slots  # noqa: F401  (a diagnostic meeting's expert slots)
from .routes import bp  # noqa: F401
