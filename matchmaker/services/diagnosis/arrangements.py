"""Arranging a visit: suggested experts (never one in conflict) and providers, assignment,
and the visit's date and place."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from search import SearchBackend

from ...china_time import to_utc
from ...models import (
    DiagnosisAssignment,
    DiagnosisRequest,
    DiagnosisStatus,
    Expert,
    Provider,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit, experts
from ..access import DIAGNOSIS_POLICY
from ..errors import Conflict, field_error
from ..matching import Match, provider_matches
from .inputs import VisitIn
from .notices import calendar_file, tell, tell_participants

S = DiagnosisStatus


def _arranged(session: Session, actor: User, request_id: int) -> DiagnosisRequest:
    request = DIAGNOSIS_POLICY.require(actor, "arrange", session.get(DiagnosisRequest, request_id))
    if request.status not in S.OPEN:
        raise Conflict(_("诊断已完成或已取消"))
    return request


def need_record(request: DiagnosisRequest) -> dict[str, Any]:
    """The request as a need for the matchers (``search.talent`` and ``search.scoring``)."""
    return {
        "id": request.id,
        "title": request.product_line,
        "description": request.problems,
        "specialities": list(request.services),
        "services": list(request.services),
        "clusters": [request.cluster],
        "cluster": request.cluster,
        "region": request.organization.region,
    }


def _assigned(request: DiagnosisRequest, attribute: str) -> set[int]:
    return {getattr(a, attribute) for a in request.assignments if getattr(a, attribute)}


def suggested_experts(
    session: Session, backend: SearchBackend, actor: User, request_id: int, k: int = 5
) -> list[Match]:
    """Active experts for the request, best first with reasons; none in conflict with the
    enterprise, none already assigned."""
    request = _arranged(session, actor, request_id)
    return experts.suggest(
        session,
        backend,
        need_record(request),
        request.organization_id,
        k,
        exclude=_assigned(request, "expert_id"),
    )


def suggested_providers(
    session: Session, backend: SearchBackend, actor: User, request_id: int, k: int = 5
) -> list[Match]:
    """Design providers for an on-site visit, from the design matcher."""
    request = _arranged(session, actor, request_id)
    hits = backend.match_providers(
        need_record(request), k, exclude=_assigned(request, "provider_id")
    )
    return provider_matches(session, hits)


def _assign(
    session: Session, actor: User, request: DiagnosisRequest, assignment, event: str, **data
) -> None:
    """Add the assignment (an expert or a provider) and log ``event``; a request waiting for
    its first one is now assigned."""
    request.assignments.append(assignment)
    if request.status == S.REQUESTED:
        request.status = S.ASSIGNED
    request.updated_at = utcnow()
    session.flush()
    audit.log_event(session, actor, event, "diagnosis", request.id, **data)


def assign_expert(session: Session, actor: User, request_id: int, expert_id: int) -> Expert:
    request = _arranged(session, actor, request_id)
    expert = session.get(Expert, expert_id)
    if expert is None or not expert.active:
        raise field_error("expert_id", _("专家不存在或已停用"))
    if experts.has_conflict(session, expert.id, request.organization_id):
        raise Conflict(
            _("该专家与%(company)s存在利益冲突，不能分派", company=request.organization.name),
            {"expert_id": [_("存在利益冲突")]},
        )
    if expert.id in _assigned(request, "expert_id"):
        raise Conflict(_("该专家已分派"))
    assignment = DiagnosisAssignment(expert=expert, assigned_by_id=actor.id)
    _assign(session, actor, request, assignment, "diagnosis.expert_assigned", expert_id=expert.id)
    tell(session, [expert.user], request, "diagnosis_assigned")
    return expert


def assign_provider(session: Session, actor: User, request_id: int, provider_id: int) -> Provider:
    request = _arranged(session, actor, request_id)
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise field_error("provider_id", _("服务方不存在"))
    if provider.id in _assigned(request, "provider_id"):
        raise Conflict(_("该服务方已分派"))
    assignment = DiagnosisAssignment(provider=provider, assigned_by_id=actor.id)
    _assign(
        session, actor, request, assignment, "diagnosis.provider_assigned", provider_id=provider.id
    )
    users = [u for u in provider.organization.users if u.active]
    tell(session, users, request, "diagnosis_assigned")
    return provider


def unassign(session: Session, actor: User, request_id: int, assignment_id: int) -> None:
    request = _arranged(session, actor, request_id)
    assignment = next((a for a in request.assignments if a.id == assignment_id), None)
    if assignment is None:
        raise field_error("assignment_id", _("记录不存在"))
    audit.log_event(
        session,
        actor,
        "diagnosis.unassigned",
        "diagnosis",
        request.id,
        expert_id=assignment.expert_id,
        provider_id=assignment.provider_id,
    )
    request.assignments.remove(assignment)
    session.flush()


def schedule(session: Session, actor: User, request_id: int, body: Any) -> DiagnosisRequest:
    """Set (or move) the visit; every participant hears of it, with a calendar file."""
    request = _arranged(session, actor, request_id)
    data = validate(VisitIn, body)
    if not _assigned(request, "expert_id"):
        raise Conflict(_("请先分派至少一位专家"))
    visit_at = to_utc(data.visit_at.replace(tzinfo=None, second=0, microsecond=0))
    if visit_at <= utcnow():
        raise field_error("visit_at", _("上门时间必须晚于现在"))
    moved = request.visit_at is not None
    request.visit_at, request.place, request.visit_note = visit_at, data.place, data.note
    request.status, request.updated_at = S.SCHEDULED, utcnow()
    request.schedule_version += 1
    audit.log_event(
        session,
        actor,
        "diagnosis.scheduled",
        "diagnosis",
        request.id,
        moved=moved,
        visit_at=visit_at.isoformat(),
    )
    tell_participants(session, request, "diagnosis_moved" if moved else "diagnosis_scheduled")
    return request


def calendar_for(
    session: Session, actor: User, request_id: int, base_url: str
) -> tuple[DiagnosisRequest, bytes]:
    """The visit's calendar file, for everyone who sees the request."""
    request = DIAGNOSIS_POLICY.visible(actor, session.get(DiagnosisRequest, request_id))
    if request.visit_at is None:
        raise field_error("visit_at", _("尚未安排上门时间"))
    return request, calendar_file(request, base_url)
