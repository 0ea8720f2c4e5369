"""Expert pool pages: administrators keep the pool; an expert's own page of assignments."""

from .routes import bp  # noqa: F401
