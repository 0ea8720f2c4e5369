"""A real job consumer (`matchmaker worker` in its own process) runs what the app queues."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.jobs import tracking
from matchmaker.models import ImportJob, IndexOutbox, JobRun, Provider, utcnow
from matchmaker.services.imports import jobs as import_jobs
from matchmaker.transaction import commit
from tests.integration.test_import import PROVIDER_HEADERS, csv_bytes, provider_row

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """App and worker share an instance folder: the job queue's SQLite file lives there."""
    path = tmp_path / "instance"
    monkeypatch.setenv("MATCHMAKER_INSTANCE_PATH", str(path))
    return path


@pytest.fixture
def app_config(app_config, instance):
    app_config["JOBS_IMMEDIATE"] = False
    return app_config


class Worker:
    def __init__(self, app, instance: Path):
        self.env = {
            **os.environ,
            "MATCHMAKER_INSTANCE_PATH": str(instance),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "EMBEDDED_SEARCH_PATH": app.config["EMBEDDED_SEARCH_PATH"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "SECRET_KEY": "test",
        }
        self.env.pop("ELASTICSEARCH_URL", None)  # the embedded backend, like the app under test
        self.process: subprocess.Popen | None = None
        self.log = instance / "worker.log"

    def start(self) -> None:
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from matchmaker.cli import main; main()", "worker"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """As a machine losing power would: no signal handler, no clean-up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def worker(app, instance):
    process = Worker(app, instance)
    yield process
    process.stop()


def wait_for(predicate, timeout: float = 30.0, what: str = "condition", log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        db.session.rollback()
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    details = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{details}")


def test_the_worker_runs_queued_jobs(app, make, worker):
    owner, admin = make.enterprise(), make.admin()
    make.demand(owner, admin=admin)  # committed: index delivery queued, not run
    queued = db.session.scalars(select(JobRun)).all()
    assert [(r.name, r.status) for r in queued] == [("deliver_index", "queued")]
    assert db.session.scalars(select(IndexOutbox)).all() != []

    worker.start()
    wait_for(
        lambda: db.session.scalar(select(JobRun.status)) == "done",
        what="the worker to deliver the index changes",
        log=worker.log,
    )
    assert db.session.scalars(select(IndexOutbox)).all() == []
    commit()


def test_a_worker_killed_mid_import_leaves_a_retryable_job(app, make, worker):
    """The worker dies (SIGKILL) after some chunks were committed: the sweep undoes them and
    fails the job; a retry, by a new worker, imports the whole file."""
    admin = make.admin()
    rows = 3000
    data = csv_bytes([PROVIDER_HEADERS] + [provider_row(n) for n in range(rows)])
    job = import_jobs.preview_upload(
        db.session, admin, "providers", "p.csv", data, app.config["UPLOAD_FOLDER"]
    )
    commit()
    import_jobs.start(db.session, admin, job.id)
    commit()  # queued for the worker
    job_id = job.id

    worker.start()
    wait_for(
        lambda: (db.session.get(ImportJob, job_id).processed or 0) >= import_jobs.CHUNK,
        timeout=120,
        what="the first committed chunk",
        log=worker.log,
    )
    worker.kill()
    assert db.session.get(ImportJob, job_id).status == "running"
    assert 0 < count(Provider) < rows  # half an import is in the database

    later = utcnow() + 2 * import_jobs.STALE
    assert import_jobs.sweep(db.session, now=later) == [job_id]
    assert tracking.sweep(db.session, now=later) != []
    commit()
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed" and "中断" in job.problems[0]["message"]
    assert count(Provider) == 0  # undone
    run = db.session.scalars(select(JobRun).where(JobRun.name == "run_import")).one()
    assert run.status == "failed" and "worker stopped" in run.error

    import_jobs.retry(db.session, admin, job_id)
    commit()
    worker.start()
    wait_for(
        lambda: db.session.get(ImportJob, job_id).status == "done",
        timeout=180,
        what="the retried import",
        log=worker.log,
    )
    assert count(Provider) == rows


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
