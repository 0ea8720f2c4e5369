"""The rubric library (评分标准库): administrators define a rubric once — criteria, weights,
the scale each criterion is scored on — and use it in accreditation rounds and showcase years.

A selection copies the rubric's criteria when it opens and remembers the version it used, so
its scores always read against the rubric they were given under. Revising a rubric is
copy-on-edit: while no selection that uses the version has a submitted score, the version is
changed in place (and so are the criteria of those selections, which nobody has scored yet);
once one has, the version is frozen and the revision becomes the next version of the same
rubric, which later selections use. Every step is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..china_time import today as local_today
from ..models import (
    Accreditation,
    AccreditationRound,
    ExpertReview,
    Role,
    Rubric,
    ShowcaseEntry,
    ShowcaseYear,
    User,
    utcnow,
)
from ..schemas import RecordId, Strict, validate
from . import audit, rubrics
from .access import require_role
from .errors import NotFound, field_error

SUBJECT = "rubric"


class RubricIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=120)] = Field(
        examples=["区级工业设计中心认定评分标准"]
    )
    scale: Annotated[int, Field(ge=2, le=rubrics.MAX_SCALE)] = Field(
        rubrics.SCALE, description="Each criterion is scored as a whole number from 0 to this"
    )
    criteria: list[dict[str, Any]] = Field(
        description="[{name, weight}], weights add up to 100; stored with codes c1, c2 …",
        examples=[[{"name": "设计团队", "weight": 40}, {"name": "设计成果", "weight": 60}]],
    )


class SelectionIn(Strict):
    """What opens a selection (an accreditation round, a showcase year): its year, title, the
    criteria its experts score on, and when entries close."""

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    rubric_id: RecordId | None = Field(
        None, description="A rubric of the library (its current version); instead of criteria"
    )
    criteria: list[dict[str, Any]] = Field(
        [],
        description="[{name, weight}], weights add up to 100; stored with codes c1, c2 …; "
        "needed unless rubric_id is given",
        examples=[[{"name": "设计团队", "weight": 40}, {"name": "设计成果", "weight": 60}]],
    )
    min_reviewers: Annotated[int, Field(ge=1, le=9)] = 2
    closes_on: dt.date


def _admin(actor: User) -> None:
    require_role(actor, Role.ADMIN)


def listing(session: Session, actor: User, current_only: bool = True) -> list[Rubric]:
    """The library, newest first; by default each rubric's current version only."""
    _admin(actor)
    query = select(Rubric).order_by(Rubric.name, Rubric.version.desc())
    if current_only:
        query = query.where(Rubric.superseded_at.is_(None))
    return list(session.scalars(query))


def get(session: Session, actor: User, rubric_id: Any) -> Rubric:
    _admin(actor)
    rubric = session.get(Rubric, rubric_id) if isinstance(rubric_id, int) else None
    if rubric is None:
        raise NotFound(_("评分标准不存在"))
    return rubric


def versions(session: Session, rubric: Rubric) -> list[Rubric]:
    return list(
        session.scalars(
            select(Rubric).where(Rubric.family_id == rubric.family_id).order_by(Rubric.version)
        )
    )


def create(session: Session, actor: User, body: Any) -> Rubric:
    _admin(actor)
    data = validate(RubricIn, body if isinstance(body, dict) else {})
    rubric = Rubric(
        name=data.name,
        scale=data.scale,
        criteria=rubrics.make_criteria(data.criteria, scale=data.scale),
        created_by_id=actor.id,
    )
    session.add(rubric)
    session.flush()
    rubric.family_id = rubric.id
    audit.log_event(session, actor, "rubric.created", SUBJECT, rubric.id, name=rubric.name)
    return rubric


def selections_using(session: Session, rubric: Rubric) -> list[AccreditationRound | ShowcaseYear]:
    rounds = session.scalars(
        select(AccreditationRound).where(AccreditationRound.rubric_id == rubric.id)
    )
    years = session.scalars(select(ShowcaseYear).where(ShowcaseYear.rubric_id == rubric.id))
    return [*rounds, *years]


def has_scores(session: Session, rubric: Rubric) -> bool:
    """Whether a selection that uses this version has a submitted score."""
    for subject, selection, subject_type, selection_id in (
        (Accreditation, AccreditationRound, "accreditation", Accreditation.round_id),
        (ShowcaseEntry, ShowcaseYear, "showcase", ShowcaseEntry.year_id),
    ):
        scored = session.scalar(
            select(func.count(ExpertReview.id))
            .join(subject, subject.id == ExpertReview.subject_id)
            .join(selection, selection.id == selection_id)
            .where(
                ExpertReview.subject_type == subject_type,
                selection.rubric_id == rubric.id,
                ExpertReview.submitted_at.is_not(None),
            )
        )
        if scored:
            return True
    return False


def revise(session: Session, actor: User, rubric_id: Any, body: Any) -> Rubric:
    """Change a rubric: in place while nothing was scored with this version, else as the next
    version (the scored selections keep the old one). Returns the version now current."""
    rubric = get(session, actor, rubric_id)
    if rubric.superseded_at is not None:
        raise NotFound(_("评分标准已有新版本，请修改最新版本"))
    data = validate(RubricIn, body if isinstance(body, dict) else {})
    criteria = rubrics.make_criteria(data.criteria, scale=data.scale)
    if has_scores(session, rubric):
        rubric.superseded_at = utcnow()
        current = Rubric(
            family_id=rubric.family_id,
            version=rubric.version + 1,
            name=data.name,
            scale=data.scale,
            criteria=criteria,
            created_by_id=actor.id,
        )
        return audit.log_added(
            session,
            actor,
            current,
            "rubric.versioned",
            SUBJECT,
            previous_id=rubric.id,
            version=current.version,
        )
    rubric.name, rubric.scale, rubric.criteria = data.name, data.scale, criteria
    selections = selections_using(session, rubric)
    for selection in selections:
        selection.criteria = criteria
    audit.log_event(
        session, actor, "rubric.revised", SUBJECT, rubric.id,
        selections=len(selections), version=rubric.version,
    )  # fmt: skip
    return rubric


def open_selection(
    session: Session,
    actor: User,
    model: type[AccreditationRound] | type[ShowcaseYear],
    data: SelectionIn,
    event: str,
    subject: str,
    **details: Any,
) -> AccreditationRound | ShowcaseYear:
    """Open a selection (an accreditation round, a showcase year) from its checked input
    ``data``: it closes on a day not yet past and scores on ``_rubric_of``'s criteria. Logged
    as ``event`` with ``details``."""
    if data.closes_on < local_today():
        raise field_error("closes_on", _("截止日期不能早于今天"))
    rubric_id, criteria = _rubric_of(session, data)
    selection = model(
        **data.model_dump(exclude={"criteria", "rubric_id"}),
        rubric_id=rubric_id,
        criteria=criteria,
        created_by_id=actor.id,
    )
    return audit.log_added(
        session, actor, selection, event, subject, **details, rubric_id=rubric_id
    )


def _rubric_of(session: Session, data: SelectionIn) -> tuple[int | None, list[dict]]:
    """What a selection opens with: the current version of a rubric of the library, copied;
    or criteria written for it alone."""
    if data.rubric_id is None:
        return None, rubrics.make_criteria(data.criteria)
    rubric = session.get(Rubric, data.rubric_id)
    if rubric is None or rubric.superseded_at is not None:
        raise field_error("rubric_id", _("请选择评分标准库中的最新版本"))
    return rubric.id, [dict(c) for c in rubric.criteria]
