"""Operating the service: request ids, JSON logs, Prometheus metrics, health and readiness."""

from __future__ import annotations

from flask import Flask

from . import context, health, logs, metrics


def init_app(app: Flask) -> None:
    """Wire first, so that every later hook and error handler already has a request id."""
    context.init_app(app)
    logs.init_app(app)
    metrics.init_app(app)
    app.register_blueprint(health.bp)
