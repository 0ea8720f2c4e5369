"""Matchmaker: industrial-design supply and demand matchmaking (app factory)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import jobs, observability, private_files, search_engine, throttle
from .config import PACKAGE, Settings, project_folder
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .services import accounts


def select_locale() -> str:
    """Chosen language (switch) → user's preference → browser → Chinese.

    API clients carry no session or preference: only Accept-Language counts there.
    """
    if not has_request_context():
        return "zh"
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(["zh", "en"]) or "zh"
    chosen = session.get("locale")
    if chosen in ("zh", "en"):
        return chosen
    if current_user and getattr(current_user, "locale", None) in ("zh", "en"):
        return current_user.locale
    return request.accept_languages.best_match(["zh", "en"]) or "zh"


def create_app(overrides: Mapping | None = None, settings: Settings | None = None) -> Flask:
    """The app configured from ``settings`` (default: the environment), then ``overrides``."""
    settings = settings or Settings()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path()),
        template_folder=str(project_folder("templates")),
        static_folder=str(project_folder("static")),
    )
    private_files.folder(settings.instance_path())
    app.config.update(settings.flask_config())
    if overrides:
        app.config.update(overrides)
    database_file = private_files.sqlite_path(app.config["SQLALCHEMY_DATABASE_URI"])
    if database_file is not None:
        private_files.ensure(database_file)

    if app.config["TRUSTED_PROXIES"]:
        # Behind N reverse proxies: the client's address and scheme come from their headers.
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    observability.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(project_folder("migrations")), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    if app.config["RATELIMIT_ENABLED"]:
        throttle.require_storage_that_gives_back(app.config["RATELIMIT_STORAGE_URI"])
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PACKAGE / "translations"),
    )
    search_engine.init_app(app)
    jobs.init_app(app)
    accounts.configure_hashing(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_KIB"],
        app.config["ARGON2_PARALLELISM"],
    )

    from . import models  # noqa: F401  (register tables with the metadata)
    from .api import init_app as init_api
    from .cli import init_app as init_cli
    from .http_errors import init_app as init_errors
    from .web import init_app as init_web

    init_web(app)
    init_api(app)
    init_cli(app)
    init_errors(app)
    return app
