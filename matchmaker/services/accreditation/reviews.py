"""The expert panel: reviewers suggested from the expert pool (never one in conflict with
the applicant), seated by administrators, scoring against the round's rubric."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from search import SearchBackend

from ...models import Accreditation, AccreditationStatus, ExpertReview, User, utcnow
from .. import audit, rubrics
from ..access import ACCREDITATION_POLICY
from ..errors import Conflict
from ..matching import Match
from ..notifications import notify
from .applications import SUBJECT, link

S = AccreditationStatus


def criteria(accreditation: Accreditation) -> list[rubrics.Criterion]:
    return rubrics.criteria_of(accreditation.round.criteria if accreditation.round else [])


def result(accreditation: Accreditation) -> rubrics.Aggregate:
    return rubrics.aggregate(criteria(accreditation), accreditation.reviews)


def _in_review(session: Session, actor: User, accreditation_id: int, action: str) -> Accreditation:
    accreditation = ACCREDITATION_POLICY.require(
        actor, action, session.get(Accreditation, accreditation_id)
    )
    if accreditation.status != S.IN_REVIEW:
        raise Conflict(_("申请不在评审阶段"))
    if accreditation.kind != "apply":
        raise Conflict(_("登记的认定按证书核实，不经专家评分"))
    return accreditation


def need_record(accreditation: Accreditation) -> dict[str, Any]:
    """The application as a need for the expert matcher (``search.talent``'s shape): the
    applicant's clusters and services."""
    provider = accreditation.organization.provider
    clusters = list(provider.clusters) if provider else []
    services = list(provider.services) if provider else []
    return {
        "id": accreditation.id,
        "title": _("工业设计中心认定"),
        "description": accreditation.achievements,
        "specialities": services,
        "clusters": clusters,
        "region": accreditation.organization.region,
    }


def suggested_reviewers(
    session: Session, backend: SearchBackend, actor: User, accreditation_id: int, k: int = 5
) -> list[Match]:
    accreditation = _in_review(session, actor, accreditation_id, "administer")
    return rubrics.suggest_reviewers(
        session,
        backend,
        need_record(accreditation),
        accreditation.organization_id,
        accreditation.reviews,
        k,
    )


def assign_reviewer(
    session: Session, actor: User, accreditation_id: int, expert_id: Any
) -> ExpertReview:
    accreditation = _in_review(session, actor, accreditation_id, "administer")
    review = rubrics.assign(
        session, actor, SUBJECT, accreditation.id, expert_id, accreditation.organization_id
    )
    session.expire(accreditation, ["reviews"])
    audit.log_event(
        session,
        actor,
        "accreditation.reviewer_assigned",
        SUBJECT,
        accreditation.id,
        expert_id=review.expert_id,
    )
    notify(
        session,
        [review.expert.user],
        "accreditation_review_assigned",
        link(accreditation),
        organization=accreditation.organization.name,
    )
    return review


def score(session: Session, actor: User, accreditation_id: int, body: Any) -> ExpertReview:
    """The acting expert's scores (again, to correct them, until the decision)."""
    accreditation = _in_review(session, actor, accreditation_id, "score")
    review = rubrics.own_review(session, actor, SUBJECT, accreditation.id)
    rescored = review.submitted_at is not None
    rubrics.score(review, criteria(accreditation), body)
    accreditation.updated_at = utcnow()
    audit.log_event(
        session,
        actor,
        "accreditation.scored",
        SUBJECT,
        accreditation.id,
        expert_id=review.expert_id,
        total=review.total,
        rescored=rescored,
    )
    return review


def panel_shown_to(
    actor: User, accreditation: Accreditation
) -> tuple[list[ExpertReview], rubrics.Aggregate | None]:
    """The panel as ``rubrics.shown_to`` shows it; the applicant reads the result once its
    application is decided, never who scored what."""
    decided = accreditation.status in (S.APPROVED, S.REJECTED) and accreditation.kind == "apply"
    return rubrics.shown_to(actor, accreditation.reviews, result(accreditation), decided)
