"""The web flow of an import as an ``ImportJob``: previewed → running → done | failed.

The uploaded file is kept (under the upload folder) between preview and commit, and is
read and checked again when the commit runs, because the database may have changed in
between. The commit runs outside the request (see ``web/imports``); its progress is kept
in this process and, where the database allows a second writer during the import's own
transaction (PostgreSQL, not SQLite), also in ``ImportJob.processed``.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from ...models import ImportJob, Role, User, utcnow
from .. import audit
from ..access import require_role
from ..errors import Conflict, NotFound
from . import Outcome, ProblemsFound, inspect, write
from .applying import ApplyFailed
from .reading import FileProblem, extension_of

PREVIEWED, RUNNING, DONE, FAILED = "previewed", "running", "done", "failed"
MAX_PROBLEMS = 1000  # stored and shown; the total count is kept in the summary
SAMPLE = 10
UPLOAD_EXTENSIONS = ("xlsx", "csv")

_progress: dict[int, int] = {}
_progress_lock = threading.Lock()


def _folder(upload_folder: str) -> Path:
    path = Path(upload_folder) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sample(outcome: Outcome) -> list[dict]:
    rows = []
    for action in outcome.plan.actions[:SAMPLE]:
        data = action.row.data
        entry = {
            "row": action.row.number,
            "op": action.op,
            "region": data.region,
            "services": list(data.services),
            "name": action.row.organization_name,
        }
        if outcome.kind == "demands":
            entry.update(
                title=data.title, clusters=[data.cluster], status=data.status or "published"
            )
        else:
            entry.update(clusters=list(data.clusters), kind=data.kind, level=data.level)
        rows.append(entry)
    return rows


def preview_upload(
    session: Session, actor: User, kind: str, filename: str, data: bytes, upload_folder: str
) -> ImportJob:
    """Check an uploaded file and keep it for the commit; FileProblem if it cannot be read."""
    require_role(actor, Role.ADMIN)
    if extension_of(filename) not in UPLOAD_EXTENSIONS:
        raise FileProblem(_("不支持的文件类型（允许：%(types)s）", types="xlsx, csv"))
    outcome = inspect(session, actor, filename, data, kind)
    stored_name = f"{secrets.token_hex(16)}.{extension_of(filename)}"
    (_folder(upload_folder) / stored_name).write_bytes(data)
    job = ImportJob(
        kind=outcome.kind,
        filename=filename,
        stored_name=stored_name,
        status=PREVIEWED,
        total=len(outcome.plan.actions),
        created_by_id=actor.id,
        problems=[p.as_dict() for p in outcome.problems[:MAX_PROBLEMS]],
        summary={
            "rows": outcome.rows,
            "create": outcome.plan.creates,
            "update": outcome.plan.updates,
            "merged": outcome.plan.merged,
            "problem_count": len(outcome.problems),
            "ignored_columns": outcome.ignored_columns,
            "sample": _sample(outcome),
        },
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor,
        "import.previewed",
        "import_job",
        job.id,
        kind=job.kind,
        rows=outcome.rows,
        problems=len(outcome.problems),
    )
    return job


def get_job(session: Session, actor: User, job_id: int) -> ImportJob:
    require_role(actor, Role.ADMIN)
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(_("导入任务不存在"))
    return job


def recent_jobs(session: Session, actor: User, limit: int = 10) -> list[ImportJob]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def start(session: Session, actor: User, job_id: int) -> ImportJob:
    """previewed (without problems) → running, exactly once even if the button is clicked twice."""
    job = get_job(session, actor, job_id)
    if job.problems:
        raise Conflict(_("文件中有问题，请修改后重新上传"))
    claimed = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == PREVIEWED)
        .values(status=RUNNING, processed=0)
    ).rowcount
    if not claimed:
        raise Conflict(_("该导入任务已提交"))
    session.refresh(job)
    audit.record(session, actor, "import.started", "import_job", job.id)
    return job


def progress_of(job: ImportJob) -> int:
    with _progress_lock:
        return max(job.processed or 0, _progress.get(job.id, 0))


def progress_recorder(engine: Engine, job_id: int):
    """A callback for ``write``: remembers progress here, and in the job row where possible."""
    shared = engine.dialect.name != "sqlite"  # SQLite allows no second writer meanwhile

    def record(done: int) -> None:
        with _progress_lock:
            _progress[job_id] = done
        if shared:
            with engine.begin() as connection:
                connection.execute(
                    update(ImportJob).where(ImportJob.id == job_id).values(processed=done)
                )

    return record


def execute(
    session: Session, actor: User, job_id: int, upload_folder: str, progress=None
) -> ImportJob:
    """Check the kept file again and write it.

    Flushes only: the caller commits, or rolls back and ``fail``s.
    """
    job = get_job(session, actor, job_id)
    if job.status != RUNNING:
        raise Conflict(_("该导入任务未在进行中"))
    data = (_folder(upload_folder) / job.stored_name).read_bytes()
    outcome = inspect(session, actor, job.filename, data, job.kind)
    counts = write(session, actor, outcome, progress)
    job.status, job.processed, job.finished_at = DONE, len(outcome.plan.actions), utcnow()
    job.summary = {
        **job.summary,
        "created": counts["created"],
        "updated": counts["updated"],
        "merged": counts["merged"],
    }
    audit.record(session, actor, "import.committed", "import_job", job.id, kind=job.kind, **counts)
    return job


def fail(session: Session, job_id: int, exc: Exception) -> None:
    """Record why a commit failed (after the caller rolled the import back)."""
    job = session.get(ImportJob, job_id)
    if job is None:
        return
    if isinstance(exc, ProblemsFound):
        problems = [p.as_dict() for p in exc.problems[:MAX_PROBLEMS]]
    elif isinstance(exc, ApplyFailed):
        problems = [exc.problem.as_dict()]
    elif isinstance(exc, FileProblem):
        problems = [{"row": None, "column": "", "message": exc.message}]
    else:
        problems = [
            {"row": None, "column": "", "message": _("导入失败，未保存任何数据（服务器错误）")}
        ]
    job.status, job.problems, job.finished_at = FAILED, problems, utcnow()
    audit.record(session, None, "import.failed", "import_job", job.id)
    with _progress_lock:
        _progress.pop(job_id, None)


def forget_progress(job_id: int) -> None:
    with _progress_lock:
        _progress.pop(job_id, None)
