"""Structured logs: one JSON object per line on stderr, each carrying the request id.

Every record passes through ``RequestContext``, so a line written anywhere during a request
(a service's warning, an unhandled error's traceback, the access line below) says which
request it belongs to. ``LOG_FORMAT=text`` gives readable lines for development.
"""

from __future__ import annotations

import logging
import sys

from flask import Flask, request
from pythonjsonlogger.json import JsonFormatter

from . import context

ACCESS = logging.getLogger("matchmaker.access")
# Libraries that log every call at INFO: their lines would drown the app's own.
QUIET = ("elastic_transport.transport", "werkzeug")
FIELDS = {"levelname": "level", "name": "logger"}


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id()
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def formatter(kind: str) -> logging.Formatter:
    if kind == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    return JsonFormatter(
        "{levelname}{name}{message}{request_id}",
        style="{",
        rename_fields=FIELDS,
        timestamp="time",  # ISO 8601, UTC
        json_ensure_ascii=False,
    )


def configure(kind: str = "json", level: str = "INFO") -> logging.Handler:
    """Install the one handler on the root logger (again: replaces the previous one)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(old)
    handler = StderrHandler()
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestContext())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


def init_app(app: Flask) -> None:
    configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])

    @app.after_request
    def access_line(response):
        ACCESS.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "endpoint": request.endpoint,
                "status": response.status_code,
                "duration_ms": round(1000 * context.elapsed(), 1),
                "remote_addr": request.remote_addr,
            },
        )
        return response
