"""Saving a form that carries files: the shared steps of the demand, case and conversation
pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, request, send_file
from flask_wtf import FlaskForm

from ..extensions import db
from ..schemas import validate
from ..services import files
from ..services.errors import ValidationFailed
from ..transaction import rollback, unit_of_work
from .common import actor, show_errors

T = TypeVar("T")

UPLOAD_ENDPOINTS = {
    "demands.new",
    "demands.edit",
    "providers.case_new",
    "providers.case_edit",
    "interests.send",
    "interests.revise",
    "common_needs.send",
    "accreditation.new",
    "accreditation.edit",
    "showcase.submit",
}
# Room for every allowed file at its largest, plus the form itself.
UPLOAD_REQUEST_LIMIT = files.DOCUMENTS.max_bytes * files.DOCUMENTS.max_files + 1024 * 1024


def allow_uploads(app: Flask) -> None:
    """Let the upload pages' requests be larger than ``MAX_CONTENT_LENGTH``: they may carry
    several files. The hook runs first, before CSRF protection parses the form."""

    def raise_limit() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS:
            request.max_content_length = max(
                UPLOAD_REQUEST_LIMIT, app.config.get("MAX_CONTENT_LENGTH") or 0
            )

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


def private_file(attachment, download: bool = False):
    """An uploaded file for the readers the caller checked, never kept in any cache: shown
    inline when a browser can (images, PDF), unless ``download`` has it saved instead."""
    path = files.path_of(upload_folder(), attachment)
    if not path.is_file():
        abort(404)
    inline = not download and attachment.content_type in (
        "image/png",
        "image/jpeg",
        "application/pdf",
    )
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def upload_folder() -> str:
    return current_app.config["UPLOAD_FOLDER"]


def upload_storage() -> files.Storage:
    """The upload folder, and the most bytes one organisation may keep there
    (``UPLOAD_QUOTA_MB``)."""
    return files.Storage(upload_folder(), current_app.config["UPLOAD_QUOTA_BYTES"])


def save_with_uploads(
    form: FlaskForm,
    schema,
    body: dict,
    check_uploads: Callable[[], list[files.Upload]],
    write: Callable[[list[files.Upload]], tuple[T, list[str], list[str]]],
) -> T | None:
    """Check the files and the body, then ``write`` and commit; returns what was saved, or None.

    ``write(uploads)`` creates or updates the row and attaches the files, returning the row and
    the stored names written and removed. Written files are discarded if anything fails, removed
    ones only after the commit; every validation failure is shown on the form.
    """
    failures: list[ValidationFailed] = []
    try:
        uploads = check_uploads()
    except ValidationFailed as exc:
        failures.append(exc)
        uploads = []
    written: list[str] = []
    removed: list[str] = []
    try:
        with unit_of_work():
            validate(schema, body)  # the same rules the service applies; reports blanks as missing
            if failures:
                raise failures.pop()
            saved, written, removed = write(uploads)
    except ValidationFailed as exc:
        files.discard(upload_folder(), written)
        for failure in [*failures, exc]:
            show_errors(form, failure)
        return None
    except Exception:
        files.discard(upload_folder(), written)
        raise
    files.discard(upload_folder(), removed)
    return saved


def send_with_files(form: FlaskForm, field_name: str, send: Callable[[list], tuple]) -> bool:
    """Check the form's files (the limits of demand attachments), run ``send(uploads)`` (which
    writes them and returns the row and their stored names) and commit; on a validation
    failure the written files go and the errors are shown on ``form``."""
    written: list[str] = []
    try:
        with unit_of_work():
            uploads = files.check(
                request.files.getlist(getattr(form, field_name).name), files.DOCUMENTS, field_name
            )
            _row, written = send(uploads)
    except ValidationFailed as exc:
        files.discard(upload_folder(), written)
        show_errors(form, exc)
        return False
    except Exception:
        rollback()  # a failed commit: its registered work goes too
        files.discard(upload_folder(), written)
        raise
    return True


def send_message(form: FlaskForm, post: Callable[..., tuple], subject_id: int) -> bool:
    """A conversation's message from ``form`` (text, offer, files) sent with the service's
    ``post`` (an interest's or a common need's), as ``send_with_files`` does."""
    return send_with_files(
        form,
        "attachments",
        lambda uploads: post(
            db.session, actor(), subject_id, form.body_data(), uploads, upload_storage()
        ),
    )
