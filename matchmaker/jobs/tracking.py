"""Every job as a ``JobRun`` row, so administrators see what is queued, running or failed.

Huey's signals drive it: enqueued → queued, executing → running (attempt n, on which
worker), complete → done, error → retrying (when retries are left) or failed with the
error. The rows are written on the app's engine in their own short transactions, never in
the job's. A worker that dies mid-job sends no signal: while a job runs, its heartbeat is
renewed, and ``sweep`` turns a running job whose heartbeat stopped into a failed one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from huey import signals
from sqlalchemy import insert, select, update

from ..extensions import db
from ..models import JobRun, utcnow
from . import queue
from .queue import huey

log = logging.getLogger(__name__)

QUEUED, RUNNING, RETRYING, DONE, FAILED, RETRIED = (
    "queued",
    "running",
    "retrying",
    "done",
    "failed",
    "retried",
)
HEARTBEAT = 15.0  # seconds between heartbeats of a running job
STALE = dt.timedelta(minutes=2)  # a running job without a heartbeat for this long is dead
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def _write(statement) -> int:
    """Run one statement in its own transaction; the job queue never fails on bookkeeping."""
    try:
        app = queue.app()
    except RuntimeError:
        return 0
    try:
        with app.app_context(), db.engine.begin() as connection:
            return connection.execute(statement).rowcount
    except Exception:  # noqa: BLE001
        log.exception("could not record job state")
        return 0


def _set(task_id: str, **values) -> int:
    return _write(update(JobRun).where(JobRun.id == task_id).values(**values))


@huey.signal(signals.SIGNAL_ENQUEUED)
def _enqueued(signal, task, *args) -> None:
    values = {"status": QUEUED, "error": None}
    if not _set(task.id, **values):
        _write(
            insert(JobRun).values(
                id=task.id,
                name=task.name,
                args=list(task.args or ()),
                enqueued_at=utcnow(),
                **values,
            )
        )


@huey.signal(signals.SIGNAL_EXECUTING)
def _executing(signal, task, *args) -> None:
    now = utcnow()
    _set(
        task.id,
        status=RUNNING,
        attempts=JobRun.attempts + 1,
        worker=WORKER,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
    )


@huey.signal(signals.SIGNAL_COMPLETE)
def _complete(signal, task, *args) -> None:
    _set(task.id, status=DONE, error=None, finished_at=utcnow())


@huey.signal(signals.SIGNAL_ERROR)
def _error(signal, task, exc=None, *args) -> None:
    text = "".join(traceback.format_exception_only(exc)).strip() if exc else "error"
    _set(
        task.id,
        status=RETRYING if task.retries else FAILED,
        error=text[:4000],
        finished_at=utcnow(),
    )


@huey.signal(signals.SIGNAL_RETRYING)
def _retrying(signal, task, *args) -> None:
    _set(task.id, status=RETRYING)


@huey.signal(signals.SIGNAL_LOCKED)
def _skipped(signal, task, *args) -> None:
    _set(task.id, status=DONE, error="skipped: the same job was running", finished_at=utcnow())


@huey.signal(
    signals.SIGNAL_INTERRUPTED,
    signals.SIGNAL_TIMEOUT,
    signals.SIGNAL_CANCELED,
    signals.SIGNAL_EXPIRED,
    signals.SIGNAL_REVOKED,
)
def _stopped(signal, task, *args) -> None:
    _set(task.id, status=FAILED, error=f"job {signal}", finished_at=utcnow())


@contextmanager
def heartbeat(task_id: str | None) -> Iterator[None]:
    """While the block runs, renew the job's heartbeat every ``HEARTBEAT`` seconds."""
    if task_id is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT):
            _set(task_id, heartbeat_at=utcnow())

    thread = threading.Thread(target=beat, name=f"heartbeat-{task_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def sweep(session, stale_after: dt.timedelta = STALE, now: dt.datetime | None = None) -> list[str]:
    """Running jobs whose worker stopped beating become failed; returns their ids."""
    limit = (now or utcnow()) - stale_after
    dead = list(
        session.scalars(
            select(JobRun.id).where(JobRun.status == RUNNING, JobRun.heartbeat_at < limit)
        )
    )
    if dead:
        session.execute(
            update(JobRun)
            .where(JobRun.id.in_(dead), JobRun.status == RUNNING)
            .values(
                status=FAILED,
                error="the worker stopped while running this job",
                finished_at=utcnow(),
            )
        )
    return dead
