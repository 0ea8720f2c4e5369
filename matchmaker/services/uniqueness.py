"""external_id is unique per record type: a second record claiming it is a conflict."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Conflict


def ensure_external_id_free(
    session: Session, model, external_id: str | None, record_id: int | None, checked: bool = False
) -> None:
    """``checked``: the caller already checked many records at once (a survey import does,
    in one query per chunk); the unique index still guards against a race."""
    if external_id is None or checked:
        return
    other = session.scalar(select(model.id).where(model.external_id == external_id))
    if other is not None and other != record_id:
        raise Conflict(_("external_id 已存在"), {"external_id": [_("external_id 已存在")]})
