"""The Huey instance, configured per app, and the decorator that makes a function a job.

One Huey instance per process (tasks register on it at import); ``init_app`` points its
storage at the app's: Redis when ``REDIS_URL`` is set, else a SQLite file beside the
database (``instance/jobs.sqlite3``), or memory with immediate execution for tests
(``JOBS_IMMEDIATE``, default: ``TESTING``). A job runs in its own app context and session,
as one unit of work: committed when it returns, rolled back when it raises (and then
retried by Huey when it has retries left).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import redis
from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from .. import private_files
from ..extensions import db
from ..transaction import unit_of_work

huey = Huey("matchmaker", results=False, utc=True, immediate=True)
JOBS: dict[str, Callable] = {}  # name → task, to retry a failed run


class _State:
    app: Flask | None = None


state = _State()


def init_app(app: Flask) -> None:
    immediate = bool(app.config.get("JOBS_IMMEDIATE", app.testing))
    if app.config.get("REDIS_URL"):
        huey.storage_class = RedisStorage
        # Never wait long for an unreachable Redis (above the 1 s blocking read of a worker).
        pool = redis.ConnectionPool.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
        huey.storage_kwargs = {"connection_pool": pool}
    else:
        # Queued jobs carry e-mail addresses and texts: private like the database.
        queue_file = private_files.folder(app.instance_path) / "jobs.sqlite3"
        private_files.ensure(queue_file)
        huey.storage_class = SqliteStorage
        huey.storage_kwargs = {"filename": str(queue_file)}
    if immediate:
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    huey.immediate = immediate
    huey.storage = huey.create_storage()
    state.app = app
    app.extensions["huey"] = huey


def app() -> Flask:
    """The app a job runs in: the caller's when it runs at once (tests), else the worker's."""
    if huey.immediate and has_app_context():
        return current_app._get_current_object()
    if state.app is None:
        raise RuntimeError("the job queue is not initialised (create_app first)")
    return state.app


def job(periodic=None, **options):
    """Make ``function`` a Huey task (periodic when ``periodic`` is a crontab) that runs in
    the app as one unit of work. Its arguments must be plain values (they are stored)."""

    def decorator(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args, task=None):
            from . import tracking

            with app().app_context(), tracking.heartbeat(task.id if task else None):
                try:
                    with unit_of_work():
                        return function(*args)
                finally:
                    db.session.remove()

        name = function.__name__
        if periodic is not None:
            task = huey.periodic_task(periodic, name=name, context=True, **options)(run)
        else:
            task = huey.task(name=name, context=True, **options)(run)
        JOBS[name] = task
        return task

    return decorator
