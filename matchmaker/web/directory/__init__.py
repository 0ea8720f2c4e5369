"""Public directory pages and the sitemap."""

from .routes import bp  # noqa: F401
