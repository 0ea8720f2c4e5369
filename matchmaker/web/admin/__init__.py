"""Administrators' pages: review queue, organisations, users, verifications, moderation, jobs."""

from . import moderation, users, verifications  # noqa: F401  (register their routes on bp)
from .routes import bp  # noqa: F401
