"""The supply–demand guide and the scarce-talent guide: editions, files, subscriptions."""

from .routes import bp  # noqa: F401
