"""The expert panel's three routes, written once for every rubric-scored subject (a design-centre
application, a showcase entry): suggested reviewers, seating one, and a reviewer's scores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from ..extensions import db
from ..schemas import RecordId, Strict, validate
from ..search_engine import get_search
from ..services import rubrics
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import current_api_user, route

# What every seating, scoring and suggestion route may answer besides success.
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 422)
SUGGESTION_ERRORS = (401, 403, 404, 409, 422, 503)


class ReviewerIn(Strict):
    expert_id: RecordId


@dataclass(frozen=True)
class PanelDocs:
    """What the OpenAPI document says of one subject's panel routes (their names included:
    they are the operation ids)."""

    suggestions: tuple[str, str]  # view name, description
    reviewers: tuple[str, str, str]  # view name, summary, description
    scores: tuple[str, str, str]  # view name, summary, description


def panel_routes(
    rule: str,
    *,
    tag: str,
    response: type[BaseModel],
    service: ModuleType,
    read: Callable[..., Any],
    shown: Callable[[Any], BaseModel],
    docs: PanelDocs,
) -> None:
    """Register ``rule``/suggestions, /reviewers and /scores.

    ``service`` offers ``suggested_reviewers``, ``assign_reviewer`` and ``score`` with the
    subject's id; ``read`` loads the subject as the actor may see it, ``shown`` serialises it.
    """

    def subject_id(path: dict[str, int]) -> int:
        (value,) = path.values()
        return value

    def suggestions(params: s.LimitParams, **path: int) -> s.ReviewerSuggestions:
        matches = service.suggested_reviewers(
            db.session, get_search(), current_api_user(), subject_id(path), params.limit
        )
        return s.ReviewerSuggestions(
            subject_id=subject_id(path), experts=out.expert_suggestions(matches)
        )

    def reviewers(body: dict, **path: int) -> BaseModel:
        data = validate(ReviewerIn, body)
        actor = current_api_user()
        service.assign_reviewer(db.session, actor, subject_id(path), data.expert_id)
        commit()
        return shown(read(db.session, actor, subject_id(path)))

    def scores(body: dict, **path: int) -> BaseModel:
        actor = current_api_user()
        service.score(db.session, actor, subject_id(path), body)
        commit()
        return shown(read(db.session, actor, subject_id(path)))

    suggestions.__name__, description = docs.suggestions
    route(
        f"{rule}/suggestions",
        "GET",
        summary="Experts suggested as reviewers (admins)",
        tag=tag,
        query=s.LimitParams,
        response=s.ReviewerSuggestions,
        errors=SUGGESTION_ERRORS,
        description=description,
    )(suggestions)

    reviewers.__name__, summary, description = docs.reviewers
    route(
        f"{rule}/reviewers",
        "POST",
        summary=summary,
        tag=tag,
        body=ReviewerIn,
        response=response,
        errors=WRITE_ERRORS,
        description=description,
    )(reviewers)

    scores.__name__, summary, description = docs.scores
    route(
        f"{rule}/scores",
        "PUT",
        summary=summary,
        tag=tag,
        body=rubrics.ScoresIn,
        response=response,
        errors=WRITE_ERRORS,
        description=description,
    )(scores)
