"""The good-design showcase pages: the public showcase, entries, the selection."""

from .routes import bp  # noqa: F401
