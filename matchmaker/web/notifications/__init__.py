"""The page of in-app notifications: a signed-in user reads theirs and marks them all read."""

from .routes import bp  # noqa: F401
