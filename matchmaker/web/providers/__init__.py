"""Provider pages: profile, cases, browsing and the provider's dashboard."""

from . import dashboard  # noqa: F401  (registers its route on bp)
from .routes import bp  # noqa: F401
