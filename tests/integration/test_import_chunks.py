"""Large imports in committed chunks that stay one import: undone on failure, one at a time,
other writers unhindered meanwhile, kept files deleted after the retention period."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.jobs import tasks
from matchmaker.models import (
    AuditEvent,
    Case,
    ImportJob,
    ImportUndo,
    IndexOutbox,
    Organization,
    Provider,
    utcnow,
)
from matchmaker.search_engine import get_search
from matchmaker.services import providers, unit_of_work
from matchmaker.services.errors import Conflict
from matchmaker.services.imports import jobs
from matchmaker.transaction import commit
from search import PROVIDERS, SearchQuery
from tests.api.conftest import Api, demand_body
from tests.integration.test_import import PROVIDER_HEADERS, csv_bytes, provider_row


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def previewed(admin, rows: int, **overrides) -> ImportJob:
    data = csv_bytes([PROVIDER_HEADERS] + [provider_row(n, **overrides) for n in range(rows)])
    job = jobs.preview_upload(
        db.session, admin, "providers", "p.csv", data, current_app.config["UPLOAD_FOLDER"]
    )
    commit()
    return job


@pytest.fixture
def admin(make):
    return make.admin()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(jobs, "CHUNK", 20)


def indexed_providers() -> int:
    backend = get_search()
    backend.refresh()
    return backend.search(SearchQuery(index=PROVIDERS, per_page=1)).total


def test_an_import_is_written_in_committed_chunks_and_cleans_up(admin, small_chunks):
    job = previewed(admin, 70)
    seen = []
    real = jobs._beat

    def beat(session, the_job, processed):
        real(session, the_job, processed)
        seen.append((processed, count(ImportUndo)))

    jobs._beat = beat
    try:
        jobs.start(db.session, admin, job.id)
        commit()  # the import runs after the commit (at once in tests)
    finally:
        jobs._beat = real
    # progress committed after every chunk of 20, each with its undo notes
    assert [p for p, _ in seen] == [20, 40, 60, 70]
    job = db.session.get(ImportJob, job.id)
    assert job.status == "done" and job.processed == 70 and job.summary["created"] == 70
    assert count(Provider) == 70 and count(ImportUndo) == 0  # notes go once it is done
    assert indexed_providers() == 70


def test_a_failure_in_a_later_chunk_undoes_the_committed_ones(admin, small_chunks, monkeypatch):
    real, calls = providers.build_provider, []

    def flaky(session, actor, body, **options):
        calls.append(1)
        if len(calls) == 55:  # in the third chunk
            raise Conflict("写入失败", {"name": ["写入失败"]})
        return real(session, actor, body, **options)

    monkeypatch.setattr(providers, "build_provider", flaky)
    audit_before = count(AuditEvent)
    job = previewed(admin, 70)
    jobs.start(db.session, admin, job.id)
    commit()
    job = db.session.get(ImportJob, job.id)
    assert job.status == "failed" and job.problems[0]["row"] == 56
    assert count(Provider) == 0 and count(Case) == 0 and count(ImportUndo) == 0
    assert count(Organization) == 0
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > audit_before)))
    assert actions == {"import.previewed", "import.started", "import.failed"}
    assert count(IndexOutbox) == 0 and indexed_providers() == 0  # the index forgot them too


def test_undo_puts_back_what_a_failed_reimport_changed(admin, small_chunks, monkeypatch):
    first = previewed(admin, 30)
    jobs.start(db.session, admin, first.id)
    commit()
    before = {
        p.external_id: (p.organization.name, p.organization.region, list(p.services))
        for p in db.session.scalars(select(Provider))
    }
    monkeypatch.setattr(jobs, "_beat", _fail_after_chunks(2))
    again = previewed(admin, 60, 所在区县="江津区")  # 30 updates, then 30 creates
    jobs.start(db.session, admin, again.id)
    commit()
    assert db.session.get(ImportJob, again.id).status == "failed"
    after = {
        p.external_id: (p.organization.name, p.organization.region, list(p.services))
        for p in db.session.scalars(select(Provider))
    }
    assert after == before


def _fail_after_chunks(n: int):
    real = jobs._beat
    calls = []

    def beat(session, job, processed):
        calls.append(processed)
        if len(calls) > n:
            raise RuntimeError("the disk is full")
        real(session, job, processed)

    return beat


def test_one_import_at_a_time_and_clear_messages_for_a_second_commit(admin):
    first, second = previewed(admin, 3), previewed(admin, 3)
    db.session.get(ImportJob, first.id).status = "running"
    commit()
    with pytest.raises(Conflict, match="另一个导入"):
        jobs.start(db.session, admin, second.id)
    with pytest.raises(Conflict, match="已在进行中"):
        jobs.start(db.session, admin, first.id)


def test_a_dead_import_is_swept_undone_and_can_be_retried(admin, small_chunks, monkeypatch):
    job = previewed(admin, 50)
    monkeypatch.setattr(jobs, "_beat", _fail_after_chunks(1))

    def die(*args, **kwargs):  # the worker vanishes: no clean-up runs
        raise SystemExit

    monkeypatch.setattr(jobs, "fail", die)
    jobs.start(db.session, admin, job.id)
    with pytest.raises(SystemExit):
        commit()
    db.session.rollback()
    assert count(Provider) == 20  # the first chunk was committed
    monkeypatch.undo()
    assert jobs.sweep(db.session, now=utcnow() + dt.timedelta(minutes=1)) == []  # still fresh
    assert jobs.sweep(db.session, now=utcnow() + dt.timedelta(minutes=3)) == [job.id]
    commit()
    job = db.session.get(ImportJob, job.id)
    assert job.status == "failed" and "中断" in job.problems[0]["message"]
    assert count(Provider) == 0
    jobs.retry(db.session, admin, job.id)
    commit()
    assert db.session.get(ImportJob, job.id).status == "done" and count(Provider) == 50


def test_kept_files_are_deleted_after_the_retention_period(app, admin):
    job = previewed(admin, 2)
    stored = Path(app.config["UPLOAD_FOLDER"]) / "imports" / job.stored_name
    assert stored.exists()
    folder = app.config["UPLOAD_FOLDER"]
    assert jobs.purge_files(db.session, folder, now=utcnow() + dt.timedelta(days=29)) == 0
    assert jobs.purge_files(db.session, folder, now=utcnow() + dt.timedelta(days=31)) == 1
    commit()
    assert not stored.exists()
    db.session.get(ImportJob, job.id).status = "failed"
    commit()
    with pytest.raises(Conflict, match="保留期限"):
        jobs.retry(db.session, admin, job.id)


def test_other_writers_are_not_refused_while_an_import_runs(app, client, admin, make, monkeypatch):
    """Real threads: API writes and page loads go on while a large import commits its chunks."""
    owner = make.enterprise()
    job = previewed(admin, 1500)
    # Each of the first chunks waits for one more write from this thread, so the writes
    # overlap the import however fast the machine imports; the chunk then runs beside the
    # next write.
    wrote, chunks_started = threading.Semaphore(0), []
    apply_chunk = jobs.apply_chunk

    def paced_chunk(*args, **kwargs):
        if len(chunks_started) < 3:
            wrote.acquire(timeout=30)
        chunks_started.append(True)
        return apply_chunk(*args, **kwargs)

    monkeypatch.setattr(jobs, "apply_chunk", paced_chunk)
    jobs.start(db.session, admin, job.id)
    unit_of_work.discard(db.session)  # the import runs in the thread below, not after the commit
    db.session.commit()
    done = threading.Event()
    job_id, admin_id = job.id, admin.id

    def run_import():
        try:
            tasks.run_import.call_local(job_id, admin_id)
        finally:
            done.set()

    importer = threading.Thread(target=run_import)
    importer.start()
    api, statuses, pages = Api(client), [], []
    body = demand_body(organization_id=owner.organization_id)
    during = 0
    while not done.is_set() or len(statuses) < 5:
        response = api.post(
            "/demands", user=admin, json={**body, "title": f"并发需求{len(statuses)}"}
        )
        statuses.append(response.status_code)
        pages.append(client.get("/").status_code)
        during += not done.is_set()
        wrote.release()
    importer.join(120)
    assert during >= 3 and len(chunks_started) >= 3  # the writes overlapped the import
    db.session.expire_all()
    assert db.session.get(ImportJob, job.id).status == "done"
    assert len(statuses) >= 5 and set(statuses) == {201}
    assert set(pages) == {200}
    assert count(Provider) == 1500
