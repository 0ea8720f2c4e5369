"""Applications: an organisation applies (or records a recognition it holds) with its
materials; administrators check them for completeness."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...china_time import today as local_today
from ...models import (
    Accreditation,
    AccreditationRound,
    AccreditationStatus,
    Attachment,
    Case,
    ExpertReview,
    Recognition,
    RecognitionStatus,
    Role,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit, files
from ..access import ACCREDITATION_POLICY, own_provider, require_confirmed
from ..errors import Conflict, NotFound, field_error
from ..notifications import notify, notify_organization
from .inputs import MATERIALS, ApplicationIn, CheckIn

S = AccreditationStatus
SUBJECT = "accreditation"


def link(accreditation: Accreditation) -> str:
    return f"/accreditation/{accreditation.id}"


def missing_materials(accreditation: Accreditation) -> list[str]:
    """What the application lacks of what its kind requires (``inputs.MATERIALS``)."""
    present = {
        "team": bool(accreditation.team_size and accreditation.designers is not None),
        "investment": accreditation.investment is not None,
        "achievements": len(accreditation.achievements.strip()) >= 20,
        "cases": bool(accreditation.case_ids),
        "files": bool(accreditation.attachments),
        "certificate": bool(accreditation.certificate_no and accreditation.valid_until),
    }
    return [m for m in MATERIALS[accreditation.kind] if not present[m]]


def application_input(accreditation: Accreditation) -> dict[str, Any]:
    """The application as its input (an edit form starts from it)."""
    return {
        "kind": accreditation.kind,
        "round_id": accreditation.round_id,
        "level": accreditation.level if accreditation.kind == "record" else None,
        "renewal_of_id": accreditation.renewal_of_id,
        "team_size": accreditation.team_size,
        "designers": accreditation.designers,
        "investment": accreditation.investment,
        "achievements": accreditation.achievements,
        "case_ids": list(accreditation.case_ids),
        "certificate_no": accreditation.certificate_no,
        "valid_until": accreditation.valid_until.isoformat() if accreditation.valid_until else None,
    }


# --- reading ---------------------------------------------------------------------------------


def read(session: Session, actor: User | None, accreditation_id: int) -> Accreditation:
    return ACCREDITATION_POLICY.visible(actor, session.get(Accreditation, accreditation_id))


def list_for(session: Session, actor: User, status: str | None = None) -> list[Accreditation]:
    """Administrators all; an organisation its own; an expert those it reviews."""
    query = select(Accreditation).options(selectinload(Accreditation.organization))
    if actor.role == Role.EXPERT:
        query = query.where(
            Accreditation.id.in_(
                select(ExpertReview.subject_id)
                .join(ExpertReview.expert)
                .where(
                    ExpertReview.subject_type == SUBJECT, ExpertReview.expert.has(user_id=actor.id)
                )
            )
        )
    elif not actor.is_admin:
        if actor.organization_id is None:
            return []
        query = query.where(Accreditation.organization_id == actor.organization_id)
    if status == "open":
        query = query.where(Accreditation.status.in_(S.OPEN))
    elif status in S.ALL:
        query = query.where(Accreditation.status == status)
    return list(session.scalars(query.order_by(Accreditation.id.desc())))


def file_of(session: Session, actor: User, accreditation_id: int, attachment_id: int) -> Attachment:
    accreditation = read(session, actor, accreditation_id)
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.accreditation_id != accreditation.id:
        raise NotFound(_("文件不存在"))
    return attachment


# --- applying ----------------------------------------------------------------------------------


def _checked(session: Session, actor: User, data: ApplicationIn) -> dict[str, Any]:
    """The application's columns, after the rules that need the database."""
    provider = own_provider(actor)
    values = data.model_dump(exclude={"round_id", "renewal_of_id"})
    if data.kind == "apply":
        round_ = session.get(AccreditationRound, data.round_id)
        if round_ is None:
            raise field_error("round_id", _("认定批次不存在"))
        if round_.closes_on < local_today():
            raise field_error("round_id", _("该批次已截止申报"))
        values |= {"round_id": round_.id, "level": round_.level, "valid_until": None}
        values["certificate_no"] = ""
    else:
        if data.level in (None, "none"):
            raise field_error("level", _("请选择证书上的认定级别"))
        if data.valid_until < local_today():
            raise field_error("valid_until", _("证书已过有效期"))
        values |= {"round_id": None, "case_ids": []}
    own_cases = set(session.scalars(select(Case.id).where(Case.provider_id == provider.id)))
    strangers = [i for i in data.case_ids if i not in own_cases]
    if strangers:
        raise field_error("case_ids", _("只能选择本单位的案例"))
    values["case_ids"] = list(dict.fromkeys(data.case_ids))
    return values


def apply(session: Session, actor: User, body: Any) -> Accreditation:
    """Submit an application (or a recognition to record); administrators are told."""
    own_provider(actor)
    require_confirmed(actor)
    data = validate(ApplicationIn, body if isinstance(body, dict) else {})
    values = _checked(session, actor, data)
    organization = actor.organization
    renewal_of = None
    if data.renewal_of_id is not None:
        renewal_of = session.get(Recognition, data.renewal_of_id)
        if renewal_of is None or renewal_of.organization_id != organization.id:
            raise field_error("renewal_of_id", _("认定记录不存在"))
        if renewal_of.status == RecognitionStatus.RENEWED:
            raise field_error("renewal_of_id", _("该认定已复审"))
    pending = session.scalar(
        select(Accreditation.id).where(
            Accreditation.organization_id == organization.id,
            Accreditation.level == values["level"],
            Accreditation.status.in_(S.OPEN),
        )
    )
    if pending is not None:
        raise Conflict(_("本单位已有一份该级别的申请在办理中"))
    accreditation = audit.log_added(
        session,
        actor,
        Accreditation(
            organization=organization, renewal_of=renewal_of, submitted_by_id=actor.id, **values
        ),
        "accreditation.submitted",
        SUBJECT,
        kind=values["kind"],
        level=values["level"],
        round_id=values["round_id"],
        region=organization.region,
        renewal=renewal_of is not None,
    )
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    notify(
        session,
        admins,
        "accreditation_submitted",
        link(accreditation),
        organization=organization.name,
        level=accreditation.level,
    )
    return accreditation


def add_files(
    session: Session,
    actor: User,
    accreditation_id: int,
    uploads: list[files.Upload],
    storage: files.Storage,
) -> tuple[Accreditation, list[str]]:
    """Supporting files, while the application is open and not yet under review."""
    accreditation = ACCREDITATION_POLICY.require(
        actor, "complete", session.get(Accreditation, accreditation_id)
    )
    if accreditation.status not in (S.SUBMITTED, S.INCOMPLETE):
        raise Conflict(_("申请已进入评审，不能再补充材料"))
    written = files.attach_to_accreditation(session, accreditation, uploads, storage)
    accreditation.updated_at = utcnow()
    audit.log_event(
        session, actor, "accreditation.files_added", SUBJECT, accreditation.id, count=len(uploads)
    )
    return accreditation, written


def complete(session: Session, actor: User, accreditation_id: int, body: Any) -> Accreditation:
    """A returned application, completed: back to the completeness check."""
    accreditation = ACCREDITATION_POLICY.require(
        actor, "complete", session.get(Accreditation, accreditation_id)
    )
    if accreditation.status != S.INCOMPLETE:
        raise Conflict(_("只有退回补充的申请可以重新提交"))
    changes = body if isinstance(body, dict) else {}
    merged = {**application_input(accreditation), **changes}
    merged["kind"], merged["round_id"] = accreditation.kind, accreditation.round_id
    data = validate(ApplicationIn, merged)
    values = _checked(session, actor, data)
    values.pop("kind", None)
    for name, value in values.items():
        setattr(accreditation, name, value)
    accreditation.status, accreditation.updated_at = S.SUBMITTED, utcnow()
    audit.log_event(session, actor, "accreditation.resubmitted", SUBJECT, accreditation.id)
    return accreditation


# --- the completeness check ----------------------------------------------------------------------


def check(session: Session, actor: User, accreditation_id: int, body: Any) -> Accreditation:
    """Accept the application for review (nothing may be missing), or return it to the
    applicant with what is missing and a note."""
    accreditation = ACCREDITATION_POLICY.require(
        actor, "administer", session.get(Accreditation, accreditation_id)
    )
    if accreditation.status != S.SUBMITTED:
        raise Conflict(_("只有待审查的申请可以检查材料"))
    data = validate(CheckIn, body if isinstance(body, dict) else {})
    found = missing_materials(accreditation)
    if data.complete and found:
        names = "、".join(material_label(m) for m in found)
        raise Conflict(_("材料不全：%(names)s", names=names), {"missing": [names]})
    if not data.complete and not (data.missing or found or data.note):
        raise field_error("missing", _("请说明缺少哪些材料"))
    accreditation.missing = [] if data.complete else list(dict.fromkeys([*found, *data.missing]))
    accreditation.check_note = data.note
    accreditation.status = S.IN_REVIEW if data.complete else S.INCOMPLETE
    accreditation.updated_at = utcnow()
    action = "accreditation.accepted" if data.complete else "accreditation.returned"
    audit.log_event(
        session, actor, action, SUBJECT, accreditation.id, missing=accreditation.missing
    )
    notify_organization(
        session,
        accreditation.organization,
        action.replace(".", "_"),
        link(accreditation),
        level=accreditation.level,
    )
    return accreditation


def material_label(code: str) -> str:
    return {
        "team": _("设计团队（人数、设计人员）"),
        "investment": _("年度设计投入"),
        "achievements": _("设计成果（不少于 20 字）"),
        "cases": _("代表性案例"),
        "files": _("证明材料"),
        "certificate": _("认定证书（编号、有效期）"),
    }[code]
