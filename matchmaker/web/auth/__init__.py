"""Accounts: sign-in, registration, password reset, colleagues, devices and verification."""

from . import password_reset, verification  # noqa: F401  (register their routes on bp)
from .routes import bp  # noqa: F401
