"""Rounds: administrators call for applications, each round with its rubric and pass mark."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...china_time import today as local_today
from ...models import AccreditationRound, Role, User
from ...schemas import validate
from .. import audit, rubric_library
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
    if data.closes_on < local_today():
        raise field_error("closes_on", _("截止日期不能早于今天"))
    rubric_id, criteria = rubric_library.rubric_of(session, actor, data)
    round_ = AccreditationRound(
        **data.model_dump(exclude={"criteria", "rubric_id"}),
        rubric_id=rubric_id,
        criteria=criteria,
        created_by_id=actor.id,
    )
    session.add(round_)
    session.flush()
    audit.log_event(
        session,
        actor,
        "accreditation.round_opened",
        "accreditation_round",
        round_.id,
        year=round_.year,
        level=round_.level,
        rubric_id=rubric_id,
    )
    return round_


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
