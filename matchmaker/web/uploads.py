"""Saving a form that carries files: the shared steps of the demand and case pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_wtf import FlaskForm

from ..schemas import validate
from ..services import files
from ..services.errors import ValidationFailed
from ..transaction import unit_of_work
from .demands.forms import show_errors

T = TypeVar("T")


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
