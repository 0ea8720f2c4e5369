"""JSON API v1 (see the API contract); token auth, same schemas as the forms."""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from ..extensions import csrf
    csrf.exempt(bp)
    app.register_blueprint(bp)
