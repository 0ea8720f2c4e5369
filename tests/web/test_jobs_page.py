"""The administrators' jobs page: queued, running and failed jobs with their errors; retry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import JobRun, utcnow
from matchmaker.transaction import commit
from tests.web.pages import login, page


def add_run(run_id: str, name: str, status: str, **fields) -> None:
    db.session.add(
        JobRun(
            id=run_id,
            name=name,
            status=status,
            args=fields.pop("args", []),
            enqueued_at=fields.pop("enqueued_at", utcnow()),
            **fields,
        )
    )
    commit()


def test_only_administrators_see_jobs(client, auth, make):
    assert client.get("/admin/jobs").status_code == 302
    login(auth, make.provider())
    assert client.get("/admin/jobs").status_code == 403
    assert client.post("/admin/jobs/x/retry").status_code == 403


def test_failed_jobs_show_their_error_and_can_be_retried(client, admin):
    add_run("a", "send_mail", "done", args=["a@example.cn", "主题", "正文"])
    add_run(
        "b",
        "deliver_index",
        "failed",
        attempts=9,
        error="SearchUnavailable('Elasticsearch unavailable: connection refused')",
        enqueued_at=utcnow() + dt.timedelta(seconds=1),
    )
    html = page(client.get("/admin/jobs"))
    assert "同步搜索索引" in html and "发送邮件" in html
    assert "connection refused" in html and "第 9 次尝试" in html
    failed_only = page(client.get("/admin/jobs?status=failed"))
    assert "同步搜索索引" in failed_only and "发送邮件" not in failed_only

    response = client.post("/admin/jobs/b/retry")
    assert response.status_code == 302
    runs = {r.id: (r.name, r.status) for r in db.session.scalars(select(JobRun))}
    assert runs.pop("b") == ("deliver_index", "retried")
    runs.pop("a")
    assert list(runs.values()) == [("deliver_index", "done")]  # the new run (at once in tests)
    assert client.post("/admin/jobs/b/retry").status_code == 409  # only failed runs
    assert client.post("/admin/jobs/nope/retry").status_code == 404
