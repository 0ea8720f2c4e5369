from . import verification  # noqa: F401  (registers its routes on bp)
from .routes import bp  # noqa: F401
