"""Survey import: upload → preview (every problem by row and column) → commit → progress.

Administrators only: anonymous visitors are sent to sign in, other roles get 403 (here
and again in the services).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...models import ImportStatus
from ...services.errors import ValidationFailed
from ...services.imports import jobs, template_files
from ...services.imports.columns import COLUMNS, KINDS
from ...services.imports.reading import FileProblem
from ...transaction import unit_of_work
from ..downloads import attachment
from .forms import ActionForm, CommitForm, UploadForm

bp = Blueprint("imports", __name__, url_prefix="/admin/import")


@bp.context_processor
def import_labels() -> dict:
    return {"import_status_labels": ImportStatus.labels}


TEMPLATE_NAMES = {
    "providers": ("服务能力导入模板", "providers-import-template"),
    "demands": ("设计需求导入模板", "demands-import-template"),
}


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


def _index(form: UploadForm, status: int = 200):
    return render_template(
        "imports/index.html",
        form=form,
        jobs=jobs.recent_jobs(db.session, current_user),
        columns=COLUMNS,
        kinds=KINDS,
    ), status


@bp.get("")
def index():
    return _index(UploadForm())


@bp.post("")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    storage = form.file.data
    data = storage.stream.read(current_app.config["MAX_CONTENT_LENGTH"] + 1)
    if len(data) > current_app.config["MAX_CONTENT_LENGTH"]:
        abort(413)
    try:
        with unit_of_work():
            job = jobs.preview_upload(
                db.session,
                current_user,
                form.kind.data,
                storage.filename or "",
                data,
                current_app.config["UPLOAD_FOLDER"],
            )
    except FileProblem as exc:
        form.file.errors = [exc.message]
        return _index(form, 422)
    return redirect(url_for("imports.job", job_id=job.id))


def _job_page(job_id: int, form: CommitForm | None = None, status: int = 200):
    the_job = jobs.get_job(db.session, current_user, job_id)
    return render_template(
        "imports/job.html",
        job=the_job,
        progress=jobs.progress_of(the_job),
        form=form or CommitForm(),
        action=ActionForm(),
    ), status


@bp.get("/<int:job_id>")
def job(job_id: int):
    return _job_page(job_id)


@bp.post("/<int:job_id>/commit")
def commit_job(job_id: int):
    """Claim the job; after the commit, a background job imports it (a job that is not
    there to claim: 409 with the reason; changes to registered organisations not confirmed:
    the page again, saying so)."""
    form = CommitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with unit_of_work():
            jobs.start(db.session, current_user, job_id, bool(form.confirm_changes.data))
    except ValidationFailed as exc:
        form.confirm_changes.errors = exc.fields.get("confirm_changes", [exc.message])
        return _job_page(job_id, form, 422)
    flash(_("已开始导入，请稍候"), "success")
    return redirect(url_for("imports.job", job_id=job_id))


@bp.post("/<int:job_id>/retry")
def retry_job(job_id: int):
    """A failed import again, after the commit (409 with the reason when it cannot be)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        jobs.retry(db.session, current_user, job_id)
    flash(_("已重新开始导入，请稍候"), "success")
    return redirect(url_for("imports.job", job_id=job_id))


@bp.get("/template/<kind>.<fmt>")
def template(kind: str, fmt: str):
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        abort(404)
    data = (
        template_files.xlsx_template(kind) if fmt == "xlsx" else template_files.csv_template(kind)
    )
    return attachment(data, fmt, *TEMPLATE_NAMES[kind])
