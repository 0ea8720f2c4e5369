"""Gunicorn configuration for `matchmaker serve` (gunicorn -c python:matchmaker.serving).

`matchmaker serve` passes bind address, workers, threads and timeout on gunicorn's command
line and a fresh ``PROMETHEUS_MULTIPROC_DIR`` in the environment; this module adds what a
command line cannot say: the JSON log setup for gunicorn's own lines, the hooks that keep the
shared metrics folder right when workers come and go, and silence about the server software
(gunicorn names itself in a ``Server`` header and has no setting to stop it).
"""

from __future__ import annotations

import os
import shutil

from gunicorn.http import wsgi
from prometheus_client import multiprocess

from .config import Settings
from .throttle import require_shared_storage

_LOGS = "matchmaker.observability.logs"
_SETTINGS = Settings()

# gunicorn's own lines (worker boots, timeouts) in the app's format; no gunicorn access log:
# the app writes one JSON access line per request, with its request id.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"app": {"()": f"{_LOGS}.formatter", "kind": _SETTINGS.LOG_FORMAT}},
    "filters": {"request": {"()": f"{_LOGS}.RequestContext"}},
    "handlers": {
        "stderr": {"class": f"{_LOGS}.StderrHandler", "formatter": "app", "filters": ["request"]}
    },
    "root": {"level": _SETTINGS.LOG_LEVEL.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
    },
}
accesslog = None


def on_starting(server) -> None:
    """Several workers must count sign-in attempts in one shared store (matchmaker/throttle.py);
    `matchmaker serve` checks it first, this hook when gunicorn is started with this file."""
    require_shared_storage(
        server.cfg.workers, _SETTINGS.RATELIMIT_STORAGE_URI, _SETTINGS.RATELIMIT_ENABLED
    )


def post_worker_init(worker) -> None:
    """No ``Server`` header: a banner tells an attacker which software (and which known holes)
    to try. gunicorn writes it in ``Response.default_headers`` of its HTTP/1 responses, which
    every worker type uses; this drops that one line and keeps the rest (status, date,
    connection) as gunicorn wrote them."""
    without_banner(wsgi.Response)


def without_banner(response_class) -> None:
    """Make ``response_class.default_headers`` leave out the ``Server`` line (once)."""
    original = response_class.default_headers
    if getattr(original, "without_banner", False):
        return

    def default_headers(self) -> list[str]:
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.without_banner = True
    response_class.default_headers = default_headers


def child_exit(server, worker) -> None:
    """A dead worker's live gauges must not be summed any more."""
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """The metrics folder was made for this server run only."""
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
