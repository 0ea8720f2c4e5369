from . import dashboard  # noqa: F401  (registers its route on bp)
from .routes import bp  # noqa: F401
