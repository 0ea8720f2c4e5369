"""The administrators' view of background jobs: what is queued, running, failed, and retry.

Job records (``JobRun``) are written by the job queue (``matchmaker/jobs/tracking.py``);
this module only reads them and turns a failed one into a new run of the same job with the
same arguments, queued after the commit (``RETRY_WORK``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import JobRun, Role, User
from .access import require_role
from .errors import Conflict, NotFound
from .unit_of_work import after_commit

STATUSES = ("queued", "running", "retrying", "failed", "done", "retried")
RETRY_WORK = "job_retry"  # after-commit work: (job name, arguments)
PER_PAGE = 50


@dataclass
class Overview:
    counts: dict[str, int]
    runs: list[JobRun]
    total: int


def overview(session: Session, actor: User, status: str | None = None, page: int = 1) -> Overview:
    """Counts by status and one page of runs, newest first (one status, or all)."""
    require_role(actor, Role.ADMIN)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(
        session.execute(select(JobRun.status, func.count()).group_by(JobRun.status)).tuples().all()
    )
    query = select(JobRun)
    if status in STATUSES:
        query = query.where(JobRun.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    runs = session.scalars(
        query.order_by(JobRun.enqueued_at.desc(), JobRun.id)
        .limit(PER_PAGE)
        .offset((max(page, 1) - 1) * PER_PAGE)
    )
    return Overview(counts, list(runs), total)


def _frozen(value):
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def retry(session: Session, actor: User, run_id: str) -> JobRun:
    """A failed run is marked retried and the same job queued again after the commit."""
    require_role(actor, Role.ADMIN)
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(_("任务不存在"))
    if run.status != "failed":
        raise Conflict(_("只有失败的任务可以重试"))
    run.status = "retried"
    after_commit(session, RETRY_WORK, run.name, _frozen(list(run.args or [])))
    return run


def failed_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(JobRun.status == "failed")) or 0
