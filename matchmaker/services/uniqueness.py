"""External ids name records in district surveys: unique per record type, and set only by
administrators (the survey import acts as one).

Permission is checked before uniqueness, so nobody else learns whether an id is taken, let
alone by whom.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .errors import Conflict, Forbidden


def check_external_id(
    session: Session,
    actor: User,
    model,
    wanted: str | None,
    record_id: int | None,
    current: str | None = None,
    checked: bool = False,
) -> None:
    """``wanted`` may be stored on the record ``record_id`` whose id is now ``current``:
    Forbidden for a change by a non-administrator, Conflict when another record has it.
    ``checked``: the caller already looked for clashes of many records at once (a survey
    import does, in one query per chunk); the unique index still guards against a race."""
    if wanted == current:
        return
    if not actor.is_admin:
        message = _("外部编号由管理员或问卷导入设置")
        raise Forbidden(message, {"external_id": [message]})
    if wanted is None or checked:
        return
    other = session.scalar(select(model.id).where(model.external_id == wanted))
    if other is not None and other != record_id:
        raise Conflict(_("external_id 已存在"), {"external_id": [_("external_id 已存在")]})
