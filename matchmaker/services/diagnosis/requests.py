"""Diagnosis requests: an enterprise asks, an administrator proposes; reading and lists."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    DiagnosisAssignment,
    DiagnosisRequest,
    DiagnosisStatus,
    Expert,
    Organization,
    OrgType,
    Role,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit
from ..access import DIAGNOSIS_POLICY, require_confirmed, require_role
from ..errors import Conflict, Forbidden, field_error
from ..notifications import notify, notify_organization
from .inputs import DiagnosisRequestIn
from .notices import tell_participants

S = DiagnosisStatus


def read_request(session: Session, actor: User | None, request_id: int) -> DiagnosisRequest:
    return DIAGNOSIS_POLICY.visible(actor, session.get(DiagnosisRequest, request_id))


def _organization(session: Session, actor: User, data: DiagnosisRequestIn) -> Organization:
    if not actor.is_admin:
        if data.organization_id not in (None, actor.organization_id):
            raise Forbidden(_("只能为本单位申请诊断"))
        return actor.organization
    organization = session.get(Organization, data.organization_id or 0)
    if organization is None or organization.type != OrgType.ENTERPRISE:
        raise field_error("organization_id", _("请选择一家企业"))
    return organization


def require_can_request(actor: User) -> None:
    """Enterprises request a diagnosis for themselves; administrators propose one."""
    require_role(actor, Role.ENTERPRISE, Role.ADMIN)


def create_request(session: Session, actor: User, body: Any) -> DiagnosisRequest:
    """An enterprise requests a diagnosis; an administrator proposes one (``organization_id``)."""
    require_can_request(actor)
    require_confirmed(actor)
    data = validate(DiagnosisRequestIn, body)
    organization = _organization(session, actor, data)
    request = DiagnosisRequest(
        organization=organization,
        created_by_id=actor.id,
        origin="admin" if actor.is_admin else "enterprise",
        cluster=data.cluster,
        services=list(data.services),
        product_line=data.product_line,
        problems=data.problems,
        preferred_dates=sorted({d.isoformat() for d in data.preferred_dates}),
        status=S.REQUESTED,
    )
    audit.log_added(
        session,
        actor,
        request,
        "diagnosis.requested",
        "diagnosis",
        origin=request.origin,
        cluster=request.cluster,
        region=organization.region,
    )
    link = f"/diagnosis/{request.id}"
    if actor.is_admin:
        notify_organization(
            session, organization, "diagnosis_proposed", link, title=request.product_line
        )
    else:
        admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active))
        notify(
            session,
            list(admins),
            "diagnosis_requested",
            link,
            title=request.product_line,
            organization=organization.name,
        )
    return request


def cancel(session: Session, actor: User, request_id: int) -> DiagnosisRequest:
    """The enterprise or an administrator calls a diagnosis off before its report."""
    request = DIAGNOSIS_POLICY.require(actor, "cancel", session.get(DiagnosisRequest, request_id))
    if request.status not in S.OPEN:
        raise Conflict(_("诊断已完成或已取消"))
    request.status, request.updated_at = S.CANCELLED, utcnow()
    audit.log_event(session, actor, "diagnosis.cancelled", "diagnosis", request.id)
    tell_participants(session, request, "diagnosis_cancelled")
    return request


def list_for(session: Session, actor: User, status: str | None = None) -> list[DiagnosisRequest]:
    """The requests this actor may see: an enterprise its own, an expert or a provider those
    it is assigned to, an administrator all of them; newest first."""
    query = select(DiagnosisRequest)
    if actor.role == Role.ENTERPRISE:
        query = query.where(DiagnosisRequest.organization_id == actor.organization_id)
    elif actor.role in (Role.EXPERT, Role.PROVIDER):
        assigned = select(DiagnosisAssignment.request_id).outerjoin(
            Expert, Expert.id == DiagnosisAssignment.expert_id
        )
        if actor.role == Role.EXPERT:
            assigned = assigned.where(Expert.user_id == actor.id)
        else:
            provider = actor.organization.provider if actor.organization else None
            assigned = assigned.where(
                DiagnosisAssignment.provider_id == (provider.id if provider else -1)
            )
        query = query.where(DiagnosisRequest.id.in_(assigned))
    elif actor.role != Role.ADMIN:
        raise Forbidden(_("没有权限执行此操作"))
    if status == "open":
        query = query.where(DiagnosisRequest.status.in_(S.OPEN))
    elif status is not None:
        query = query.where(DiagnosisRequest.status == status)
    return list(
        session.scalars(
            query.order_by(DiagnosisRequest.created_at.desc(), DiagnosisRequest.id.desc())
        )
    )
