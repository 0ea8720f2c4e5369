"""Files sent to the API: checked with the pages' limits (``files.check``: count, size, type,
naming the field), written by a service on the organisation's quota, then committed; the
written files go again when anything fails."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from ..services import files
from ..services.errors import field_error
from ..transaction import commit, rollback
from ..web.uploads import upload_folder, upload_storage


def checked(sent: list, policy: files.Policy, field: str, required: bool = True) -> list:
    """The files of one multipart field, checked; 422 naming ``field`` for a bad one (or for
    none when ``required``)."""
    uploads = files.check(sent, policy, field)
    if required and not uploads:
        raise field_error(field, _("请选择文件"))
    return uploads


def store(write: Callable[[files.Storage], list[str]]) -> None:
    """Run ``write(storage)`` (which returns the stored names it wrote) and commit."""
    written: list[str] = []
    try:
        written = write(upload_storage())
        commit()
    except Exception:
        rollback()
        files.discard(upload_folder(), written)
        raise
