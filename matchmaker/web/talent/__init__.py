"""Talent pool pages: the public cards, a person's own profile and data, talent needs."""

from . import needs, routes  # noqa: F401  (register the pages)
from .routes import bp  # noqa: F401
