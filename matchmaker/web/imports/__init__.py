"""Survey import pages (/admin/import)."""

from .routes import bp  # noqa: F401
