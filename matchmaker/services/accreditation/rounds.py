"""Rounds: administrators call for applications, each round with its rubric and pass mark."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...china_time import today as local_today
from ...models import AccreditationRound, Role, User
from ...schemas import validate
from .. import rubric_library
from ..access import require_role
from ..errors import NotFound, field_error
from .inputs import RoundIn


def create_round(session: Session, actor: User, body: Any) -> AccreditationRound:
    require_role(actor, Role.ADMIN)
    if not isinstance(body, dict):
        body = {}
    data = validate(RoundIn, body)
    if data.level == "none":
        raise field_error("level", _("请选择认定级别"))
    return rubric_library.open_selection(
        session,
        actor,
        AccreditationRound,
        data,
        "accreditation.round_opened",
        "accreditation_round",
        year=data.year,
        level=data.level,
    )


def list_rounds(session: Session) -> list[AccreditationRound]:
    """Every round, newest first (rounds are public: a call for applications)."""
    return list(
        session.scalars(
            select(AccreditationRound).order_by(
                AccreditationRound.year.desc(), AccreditationRound.id.desc()
            )
        )
    )


def open_rounds(session: Session) -> list[AccreditationRound]:
    return [r for r in list_rounds(session) if r.closes_on >= local_today()]


def get_round(session: Session, round_id: int) -> AccreditationRound:
    round_ = session.get(AccreditationRound, round_id)
    if round_ is None:
        raise NotFound(_("认定批次不存在"))
    return round_
