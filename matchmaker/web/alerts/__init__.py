"""Saved lead searches and their e-mail alerts."""

from .routes import bp  # noqa: F401
