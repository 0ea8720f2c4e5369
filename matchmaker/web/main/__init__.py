"""The home page, language choice and the pages every visitor sees."""

from .routes import bp  # noqa: F401
