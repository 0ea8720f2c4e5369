"""Background jobs: the work a request must not wait for, on a Huey queue.

``queue`` holds the Huey instance (a SQLite file in the instance folder on one machine,
Redis with ``REDIS_URL`` beyond; with ``TESTING`` the jobs run at once in the caller's
process) and the ``job`` decorator that runs a task inside the app; ``tracking`` records
every job as a ``JobRun`` for the administrators' jobs page; ``tasks`` defines the jobs,
the schedule, and the handlers of the work services register for after a commit.
``matchmaker worker`` runs the consumer.
"""

from flask import Flask

from .queue import huey


def init_app(app: Flask) -> None:
    from . import queue, tasks, tracking  # noqa: F401  (tasks and signals register on import)

    queue.init_app(app)


__all__ = ["huey", "init_app"]
