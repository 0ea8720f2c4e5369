"""Running a committed import outside the request, with its own app context and session.

The request only claims the job (previewed → running) and returns; the thread re-reads the
file, writes it in one transaction and commits, or rolls back and records why it failed.
The job page polls for progress. A process that dies mid-import leaves nothing written
(the transaction never committed); its job stays "running" and can be uploaded again.
"""

from __future__ import annotations

import threading

from flask import Flask

from ...extensions import db
from ...models import User
from ...search_engine import get_search
from ...services.imports import jobs
from ...services.indexing import deliver_pending


def _run(app: Flask, job_id: int, actor_id: int) -> None:
    with app.app_context():
        try:
            if _write(app, job_id, actor_id):
                _deliver(app, job_id)
        finally:
            jobs.forget_progress(job_id)
            db.session.remove()


def _write(app: Flask, job_id: int, actor_id: int) -> bool:
    session = db.session
    try:
        actor = session.get(User, actor_id)
        jobs.execute(
            session,
            actor,
            job_id,
            app.config["UPLOAD_FOLDER"],
            jobs.progress_recorder(db.engine, job_id),
        )
        session.commit()
        return True
    except Exception as exc:  # noqa: BLE001 — whatever happened, nothing is kept and the job says so
        session.rollback()
        if not isinstance(exc, jobs.FileProblem):
            app.logger.exception("import job %s failed", job_id)
        jobs.fail(session, job_id, exc)
        session.commit()
        return False


def _deliver(app: Flask, job_id: int) -> None:
    """After the commit: a search outage only delays indexing (the outbox keeps the work)."""
    try:
        deliver_pending(db.session, get_search(app))
    except Exception:  # noqa: BLE001
        db.session.rollback()
        app.logger.exception("import job %s: index delivery deferred", job_id)


def start(app: Flask, job_id: int, actor_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=_run, args=(app, job_id, actor_id), name=f"import-{job_id}", daemon=True
    )
    thread.start()
    return thread
