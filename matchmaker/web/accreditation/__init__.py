"""Design-centre accreditation pages and the public register of recognised centres."""

from .routes import bp  # noqa: F401
