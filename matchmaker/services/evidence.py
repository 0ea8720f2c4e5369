"""Evidence for the verified badge, and the administrators' queue that decides on it.

An organisation's member uploads the business licence (营业执照, an image or a PDF) with the
registered name and unified social credit code as printed on it, and a provider claiming a
design-centre level adds the proof of that level. Administrators see each request with the
evidence, the registered name and the credit code beside what the organisation calls itself,
and approve or reject it with a reason. The badge then says what was verified and when
(``Organization.verified_scope``, ``verified_at``).

A credit code that another organisation holds is not refused — that would tell the submitter
who holds it. The request goes to the queue like any other, marked for the administrators,
who alone see the holder; approving it is refused until the two are settled (a claim merged,
or one code corrected).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Attachment, Organization, OrgType, Role, User, VerificationRequest, utcnow
from ..schemas import CreditCode, LevelCode, Strict, validate
from . import audit, files
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from .indexing import enqueue_provider
from .notifications import notify, notify_organization

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
LICENCE, LEVEL = "licence", "level"


class EvidenceIn(Strict):
    registered_name: Annotated[str, Field(min_length=1, max_length=200)]
    credit_code: CreditCode
    level: LevelCode = "none"
    note: Annotated[str, Field(max_length=1000)] = ""


def _member_organization(actor: User) -> Organization:
    if actor.organization is None or actor.role == Role.ADMIN:
        raise Forbidden(_("只有单位成员可以提交认证材料"))
    return actor.organization


def latest(session: Session, organization: Organization) -> VerificationRequest | None:
    return session.scalar(
        select(VerificationRequest)
        .where(VerificationRequest.organization_id == organization.id)
        .order_by(VerificationRequest.id.desc())
        .limit(1)
    )


def submit(
    session: Session,
    actor: User,
    body: Any,
    licence: Iterable[files.Upload],
    level_proof: Iterable[files.Upload],
    storage: files.Storage,
) -> tuple[VerificationRequest, list[str]]:
    """Send the evidence to the administrators; returns the request and the stored file names
    (the caller discards them if its commit fails). One request waits at a time."""
    organization = _member_organization(actor)
    data = validate(EvidenceIn, body)
    licence, level_proof = list(licence), list(level_proof)
    problems: dict[str, list[str]] = {}
    if not licence:
        problems["licence"] = [_("请上传营业执照（图片或 PDF）")]
    if organization.type == OrgType.PROVIDER and data.level != "none" and not level_proof:
        problems["level_proof"] = [_("声明设计中心级别时，请上传认定文件")]
    if organization.type != OrgType.PROVIDER and data.level != "none":
        problems["level"] = [_("只有设计服务方可以声明设计中心级别")]
    if problems:
        raise ValidationFailed(next(iter(problems.values()))[0], problems)
    waiting = latest(session, organization)
    if waiting is not None and waiting.status == PENDING:
        raise Conflict(_("已有认证申请在审核中，请等待结果"))
    request = VerificationRequest(
        organization_id=organization.id,
        registered_name=data.registered_name,
        credit_code=data.credit_code,
        level=data.level,
        note=data.note,
        submitted_by_id=actor.id,
    )
    session.add(request)
    session.flush()
    written = files.attach_evidence(
        session, request, {LICENCE: licence, LEVEL: level_proof}, storage
    )
    audit.log_event(
        session, actor, "organization.evidence_submitted", "organization", organization.id
    )
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    notify(session, admins, "verification_requested", "/admin/verifications")
    return request, written


@dataclass
class QueueItem:
    """A waiting request as administrators see it: the evidence beside the organisation."""

    request: VerificationRequest
    organization: Organization
    code_holder: Organization | None  # another organisation with the same credit code

    @property
    def name_differs(self) -> bool:
        return self.request.registered_name != self.organization.name

    @property
    def code_differs(self) -> bool:
        return self.request.credit_code != self.organization.credit_code


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))


def _holder(session: Session, request: VerificationRequest) -> Organization | None:
    return session.scalar(
        select(Organization).where(
            Organization.credit_code == request.credit_code,
            Organization.id != request.organization_id,
        )
    )


def queue(session: Session, actor: User) -> list[QueueItem]:
    _require_admin(actor)
    waiting = session.scalars(
        select(VerificationRequest)
        .where(VerificationRequest.status == PENDING)
        .order_by(VerificationRequest.created_at)
    )
    return [QueueItem(r, r.organization, _holder(session, r)) for r in waiting]


def pending_claims(session: Session, actor: User) -> list[Organization]:
    """Registrations that used another organisation's credit code or name (``registration``):
    the same question as a request whose code is held elsewhere, so they share the queue."""
    _require_admin(actor)
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.claim_of_id.is_not(None), Organization.claim_rejected_at.is_(None))
            .order_by(Organization.created_at)
        )
    )


def _pending(session: Session, actor: User, request_id: int) -> VerificationRequest:
    _require_admin(actor)
    request = session.get(VerificationRequest, request_id)
    if request is None:
        raise NotFound(_("认证申请不存在"))
    if request.status != PENDING:
        raise Conflict(_("该认证申请已处理"))
    return request


def approve(session: Session, actor: User, request_id: int) -> Organization:
    """The evidence holds: the organisation is verified for its licence (and level), now."""
    request = _pending(session, actor, request_id)
    holder = _holder(session, request)
    if holder is not None:
        raise Conflict(
            _("统一社会信用代码已属于“%(name)s”：请先处理重复的单位，再认证", name=holder.name)
        )
    organization = request.organization
    request.status, request.decided_at = APPROVED, utcnow()
    organization.credit_code = request.credit_code
    organization.verified, organization.verified_at = True, utcnow()
    organization.verified_scope = [LICENCE] + ([LEVEL] if request.level != "none" else [])
    if request.level != "none":
        organization.level = request.level
    audit.log_event(
        session,
        actor,
        "organization.verified",
        "organization",
        organization.id,
        request_id=request.id,
        scope=organization.verified_scope,
    )
    notify_organization(session, organization, "verification_approved", "/account/verification")
    if organization.provider is not None:
        enqueue_provider(session, organization.provider)
    return organization


def reject(session: Session, actor: User, request_id: int, reason: str) -> VerificationRequest:
    request = _pending(session, actor, request_id)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写驳回原因"))
    request.status, request.decided_at, request.reason = REJECTED, utcnow(), reason[:1000]
    audit.log_event(
        session,
        actor,
        "organization.evidence_rejected",
        "organization",
        request.organization_id,
        request_id=request.id,
    )
    notify_organization(
        session,
        request.organization,
        "verification_rejected",
        "/account/verification",
        reason=request.reason,
    )
    return request


def evidence_file(session: Session, actor: User, request_id: int, attachment_id: int) -> Attachment:
    """A file of a request: for the organisation's members and administrators only."""
    request = session.get(VerificationRequest, request_id)
    if request is None or not (actor.is_admin or actor.organization_id == request.organization_id):
        raise NotFound(_("文件不存在"))
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.verification_id != request.id:
        raise NotFound(_("文件不存在"))
    return attachment
