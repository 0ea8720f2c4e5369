"""The web flow of an import as an ``ImportJob``: previewed → running → done | failed.

The uploaded file is kept (under the upload folder) between preview and commit, and is
read and checked again when the commit runs, because the database may have changed in
between. The commit runs in a background job (``RUN_WORK`` after the request's commit):
the rows are written in chunks, each committed with its undo notes (``undo``) and the
job's progress and heartbeat, so that other writers never wait long and every worker and
page sees the progress. For the user it stays one import: when it fails, or its worker
dies (no heartbeat for ``STALE``; ``sweep``), what it wrote is undone and it can be
retried. Only one import runs at a time. Kept files are deleted ``RETENTION`` after the
job was created (``purge_files``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import private_files
from ...models import ImportJob, ImportStatus, ImportUndo, Role, User, utcnow
from .. import audit
from ..access import require_role
from ..errors import Conflict, NotFound, field_error
from ..unit_of_work import after_commit
from . import Outcome, ProblemsFound, inspect, require_confirmed, undo
from .applying import ApplyFailed, apply_chunk
from .reading import FileProblem, extension_of

MAX_PROBLEMS = 1000  # stored and shown; the total count is kept in the summary
SAMPLE = 10
UPLOAD_EXTENSIONS = ("xlsx", "csv")
CHUNK = 500  # rows per committed chunk
STALE = dt.timedelta(minutes=2)  # a running import without a heartbeat for this long is dead
RETENTION = dt.timedelta(days=30)
RUN_WORK = "import_run"  # after-commit work: (job_id, actor_id)


class Stopped(RuntimeError):
    """The job is no longer running (swept as dead meanwhile): stop writing."""


def _folder(upload_folder: str) -> Path:
    return private_files.folder(Path(upload_folder) / "imports")


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
    private_files.create(_folder(upload_folder) / stored_name, data)
    job = ImportJob(
        kind=outcome.kind,
        filename=filename,
        stored_name=stored_name,
        status=ImportStatus.PREVIEWED,
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
            # changes to organisations with registered users: shown, confirmed at commit
            "confirm": outcome.plan.confirmations,
        },
    )
    return audit.log_added(
        session,
        actor,
        job,
        "import.previewed",
        "import_job",
        kind=job.kind,
        rows=outcome.rows,
        problems=len(outcome.problems),
    )


def get_job(session: Session, actor: User, job_id: int) -> ImportJob:
    require_role(actor, Role.ADMIN)
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(_("导入任务不存在"))
    return job


def recent_jobs(session: Session, actor: User, limit: int = 10) -> list[ImportJob]:
    require_role(actor, Role.ADMIN)
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def start(session: Session, actor: User, job_id: int, confirmed: bool = False) -> ImportJob:
    """previewed (without problems) → running, exactly once even if the button is clicked
    twice or two administrators commit at once; the import runs after the commit.

    A preview with changes to organisations that registered users control starts only when
    the administrator ``confirmed`` them."""
    job = get_job(session, actor, job_id)
    if job.problems:
        raise Conflict(_("文件中有问题，请修改后重新上传"))
    changes = job.summary.get("confirm") or []
    if changes and not confirmed:
        raise field_error("confirm_changes", _("请勾选确认上述单位变更后再提交"))
    return _claim(
        session,
        actor,
        job,
        ImportStatus.PREVIEWED,
        "import.started",
        confirmed_changes=len(changes),
    )


def retry(session: Session, actor: User, job_id: int) -> ImportJob:
    """failed → running again (the file is read and checked again, against the changes
    confirmed when it was first started)."""
    job = get_job(session, actor, job_id)
    if job.file_purged_at is not None:
        raise Conflict(_("上传的文件已按保留期限删除，请重新上传"))
    return _claim(session, actor, job, ImportStatus.FAILED, "import.retried")


def _claim(
    session: Session, actor: User, job: ImportJob, status: str, action: str, **details
) -> ImportJob:
    other = session.scalar(
        select(ImportJob.id)
        .where(ImportJob.status == ImportStatus.RUNNING, ImportJob.id != job.id)
        .limit(1)
    )
    if other is not None:
        raise Conflict(_("另一个导入（#%(id)s）正在进行，请等它完成后再提交", id=other))
    claimed = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == status)
        .values(status=ImportStatus.RUNNING, processed=0, heartbeat_at=utcnow(), finished_at=None)
    ).rowcount
    if not claimed:
        session.refresh(job)
        if job.status == ImportStatus.RUNNING:
            raise Conflict(_("该导入已在进行中（可能由另一位管理员或另一窗口提交），请查看进度"))
        raise Conflict(_("该导入已经提交过（当前状态：%(status)s）", status=job.status))
    session.refresh(job)
    if status == ImportStatus.FAILED:
        job.problems = []
    audit.log_event(session, actor, action, "import_job", job.id, **details)
    after_commit(session, RUN_WORK, job.id, actor.id)
    return job


def progress_of(job: ImportJob) -> int:
    return job.processed or 0


def _beat(session: Session, job: ImportJob, processed: int) -> None:
    """Progress and heartbeat, in the chunk's transaction; Stopped if the job was swept."""
    alive = session.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.RUNNING)
        .values(processed=processed, heartbeat_at=utcnow())
    ).rowcount
    if not alive:
        raise Stopped(f"import job {job.id} is no longer running")


def run(
    session: Session, actor: User, job_id: int, upload_folder: str, commit, chunk: int = 0
) -> ImportJob:
    """Check the kept file again and write it chunk by chunk, ``commit``-ing each chunk with
    its undo notes. Raises on failure: the caller rolls back and calls ``fail``."""
    job = get_job(session, actor, job_id)
    if job.status != ImportStatus.RUNNING:
        raise Conflict(_("该导入任务未在进行中"))
    data = (_folder(upload_folder) / job.stored_name).read_bytes()
    outcome = inspect(session, actor, job.filename, data, job.kind)
    if not outcome.ok:
        raise ProblemsFound(outcome.problems)
    require_confirmed(outcome, job.summary.get("confirm") or [])
    counts = {"created": 0, "updated": 0}
    created: dict = {}
    actions = outcome.plan.actions
    chunk = chunk or CHUNK
    for seq, begin in enumerate(range(0, len(actions), chunk)):
        with undo.Recorder(session) as recorder:
            part = apply_chunk(
                session, actor, outcome.kind, actions[begin : begin + chunk], created
            )
        undo.keep(session, job.id, seq, recorder)
        counts = {key: counts[key] + part[key] for key in counts}
        _beat(session, job, min(begin + chunk, len(actions)))
        commit()
    job = session.get(ImportJob, job_id)
    job.status, job.processed, job.finished_at = ImportStatus.DONE, len(actions), utcnow()
    job.summary = {**job.summary, **counts, "merged": outcome.plan.merged}
    session.execute(delete(ImportUndo).where(ImportUndo.job_id == job.id))
    audit.log_event(
        session,
        actor,
        "import.committed",
        "import_job",
        job.id,
        kind=job.kind,
        merged=outcome.plan.merged,
        **counts,
    )
    return job


def fail(session: Session, job_id: int, exc: Exception) -> None:
    """After a failed run (the caller rolled its last chunk back): undo the committed chunks
    and record why. The job can be retried."""
    job = session.get(ImportJob, job_id)
    if job is None or isinstance(exc, Stopped):
        return  # swept meanwhile: the sweep undid it
    undone = undo.undo(session, job_id)
    job.status, job.problems, job.finished_at = ImportStatus.FAILED, _problems(exc), utcnow()
    audit.log_event(session, None, "import.failed", "import_job", job.id, chunks_undone=undone)


def _problems(exc: Exception) -> list[dict]:
    if isinstance(exc, ProblemsFound):
        return [p.as_dict() for p in exc.problems[:MAX_PROBLEMS]]
    if isinstance(exc, ApplyFailed):
        return [exc.problem.as_dict()]
    if isinstance(exc, FileProblem):
        message = exc.message
    elif isinstance(exc, IntegrityError):
        message = _(
            "与同时写入的其他数据冲突（例如相同的外部编号或单位名称），"
            "已撤销本次导入写入的数据，请重试"
        )
    elif isinstance(exc, Interrupted):
        message = _("导入中断（处理导入的进程已停止），已撤销写入的数据，可重试")
    else:
        message = _("导入失败，已撤销写入的数据（服务器错误），可重试")
    return [{"row": None, "column": "", "message": message}]


class Interrupted(RuntimeError):
    """The worker running the import stopped (no heartbeat)."""


def sweep(
    session: Session, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE
) -> list[int]:
    """Running imports whose heartbeat stopped: undone and failed (then retryable)."""
    limit = (now or utcnow()) - stale_after
    dead = list(
        session.scalars(
            select(ImportJob.id).where(
                ImportJob.status == ImportStatus.RUNNING, ImportJob.heartbeat_at < limit
            )
        )
    )
    for job_id in dead:
        fail(session, job_id, Interrupted())
    return dead


def purge_files(
    session: Session,
    upload_folder: str,
    now: dt.datetime | None = None,
    keep: dt.timedelta = RETENTION,
) -> int:
    """Delete kept survey files older than the retention period (not while running)."""
    limit = (now or utcnow()) - keep
    jobs = session.scalars(
        select(ImportJob).where(
            ImportJob.created_at < limit,
            ImportJob.file_purged_at.is_(None),
            ImportJob.status != ImportStatus.RUNNING,
        )
    ).all()
    for job in jobs:
        (_folder(upload_folder) / job.stored_name).unlink(missing_ok=True)
        job.file_purged_at = utcnow()
    return len(jobs)
