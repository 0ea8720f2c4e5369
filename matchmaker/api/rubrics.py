"""The rubric library: rubrics defined once and used by accreditation rounds and showcase
years; revising one that has been scored with makes its next version."""

from __future__ import annotations

from ..extensions import db
from ..models import Rubric
from ..services import rubric_library
from ..services.rubric_library import RubricIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import ID, current_api_user, route

TAG = "rubrics"


def _shown(row: Rubric) -> s.RubricOut:
    used = len(rubric_library.selections_using(db.session, row))
    return out.rubric(row, rubric_library.has_scores(db.session, row), used)


@route(
    "/rubrics",
    "GET",
    summary="The rubric library (admins)",
    tag=TAG,
    response=s.RubricList,
    errors=(401, 403),
    description="Each rubric's current version, by name.",
)
def list_rubrics() -> s.RubricList:
    rows = rubric_library.listing(db.session, current_api_user())
    return s.RubricList(items=[_shown(r) for r in rows])


@route(
    "/rubrics",
    "POST",
    summary="Define a rubric (admins)",
    tag=TAG,
    body=RubricIn,
    response=s.RubricOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="Criteria with weights adding up to 100 (422 on `criteria` otherwise), each "
    "scored 0–`scale`. A round or a showcase year then opens with `rubric_id` instead of "
    "criteria of its own.",
)
def create_rubric(body: dict) -> s.RubricOut:
    row = rubric_library.create(db.session, current_api_user(), body)
    commit()
    return _shown(row)


@route(
    f"/rubrics/<{ID}:rubric_id>",
    "GET",
    summary="One version of a rubric (admins)",
    tag=TAG,
    response=s.RubricOut,
    errors=(401, 403, 404),
)
def rubric_detail(rubric_id: int) -> s.RubricOut:
    return _shown(rubric_library.get(db.session, current_api_user(), rubric_id))


@route(
    f"/rubrics/<{ID}:rubric_id>",
    "PUT",
    summary="Revise a rubric (admins): in place, or as its next version once scored with",
    tag=TAG,
    body=RubricIn,
    response=s.RubricOut,
    errors=(400, 401, 403, 404, 413, 422),
    description="The whole rubric again. While no selection using this version has a score "
    "it changes in place, and so do the criteria of the rounds and years using it; once one "
    "has, this version is frozen with its selections and the answer is the new version (a new "
    "`id`, `version` + 1, same `family_id`). An older version → 404.",
)
def revise_rubric(rubric_id: int, body: dict) -> s.RubricOut:
    row = rubric_library.revise(db.session, current_api_user(), rubric_id, body)
    commit()
    return _shown(row)
