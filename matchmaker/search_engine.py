"""The app's handle on the search backend (one per process, created lazily)."""

from __future__ import annotations

from flask import Flask, current_app

from search import SearchBackend, create_backend

from . import private_files
from .observability import metrics
from .taxonomy import get_taxonomy

SETTINGS = (
    "ELASTICSEARCH_URL",
    "ELASTICSEARCH_USERNAME",
    "ELASTICSEARCH_PASSWORD",
    "ELASTICSEARCH_API_KEY",
    "ELASTICSEARCH_CA_CERTS",
    "ELASTICSEARCH_VERIFY_CERTS",
    "ELASTICSEARCH_TIMEOUT",
    "SEARCH_BREAKER_SECONDS",
    "SEARCH_INDEX_PREFIX",
    "SEARCH_INDEX_REPLICAS",
    "EMBEDDED_SEARCH_PATH",
)


def init_app(app: Flask) -> None:
    app.extensions["search"] = None


def get_search(app: Flask | None = None) -> SearchBackend:
    app = app or current_app
    backend = app.extensions.get("search")
    if backend is None:
        if not app.config.get("ELASTICSEARCH_URL") and app.config.get("EMBEDDED_SEARCH_PATH"):
            private_files.ensure(app.config["EMBEDDED_SEARCH_PATH"])
        backend = create_backend({k: app.config.get(k) for k in SETTINGS}, get_taxonomy().raw)
        backend = metrics.time_search(backend)
        app.extensions["search"] = backend
    return backend
