"""Cluster common-need pages: proposed groups, projects, opting in, providers."""

from .routes import bp  # noqa: F401
