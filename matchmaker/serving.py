"""Gunicorn configuration for `matchmaker serve` (gunicorn -c python:matchmaker.serving).

`matchmaker serve` passes bind address, workers, threads and timeout on gunicorn's command
line and a fresh ``PROMETHEUS_MULTIPROC_DIR`` in the environment; this module adds what a
command line cannot say: the JSON log setup for gunicorn's own lines and the hooks that
keep the shared metrics folder right when workers come and go.
"""

from __future__ import annotations

import os
import shutil

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


def child_exit(server, worker) -> None:
    """A dead worker's live gauges must not be summed any more."""
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    """The metrics folder was made for this server run only."""
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
