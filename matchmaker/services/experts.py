"""The expert pool (专家库): administrators admit experts, record their conflicts of interest
and retire them; experts sign in with the ``expert`` role and see their assignments only.

An expert is admitted from the talent pool (the person's account becomes an expert account
and keeps its profile; the employer on the profile becomes a conflict) or directly (a new
account with a first password the administrator hands over). A conflict of interest is an
organisation the expert works for or with: the expert is never suggested for nor assigned
to that organisation's requests (``conflicted``). Suggestions come from the talent matcher
run on the experts' own index (``search.talent``, ``pool=EXPERTS``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import EmailStr, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search import EXPERTS, SearchBackend

from ..models import Expert, ExpertConflict, Organization, Role, TalentProfile, User, utcnow
from ..schemas import (
    ClusterCode,
    Mobile,
    RecordId,
    RegionCode,
    ServiceCode,
    Strict,
    TitleCode,
    validate,
)
from . import audit
from .access import EXPERT_POLICY, TALENT_PROFILE_POLICY, require_role
from .accounts import create_user
from .errors import Conflict, field_error
from .indexing import enqueue_expert
from .matching import Match

RELATIONS = ("employer", "client", "partner", "other")
Name = Annotated[str, Field(min_length=1, max_length=100)]


class ExpertIn(Strict):
    """An expert's record, as an administrator keeps it."""

    name: Name
    title: Annotated[str, Field(max_length=100)] = Field("", examples=["教授级高级工程师"])
    affiliation: Annotated[str, Field(max_length=200)] = ""
    clusters: Annotated[list[ClusterCode], Field(min_length=1, max_length=16)]
    services: Annotated[list[ServiceCode], Field(min_length=1, max_length=39)]
    professional_title: TitleCode = "none"
    years_experience: Annotated[int, Field(ge=0, le=70)] = 0
    region: RegionCode = "other"
    bio: Annotated[str, Field(max_length=5000)] = ""


class NewExpertIn(ExpertIn):
    """Admitting someone who has no account yet."""

    email: EmailStr
    password: Annotated[str, Field(min_length=10, max_length=200)]
    phone: Mobile | None = None


class ConflictIn(Strict):
    organization_id: RecordId
    relation: Literal["employer", "client", "partner", "other"]
    note: Annotated[str, Field(max_length=200)] = ""


# --- reading ---------------------------------------------------------------------------------


def get_expert(session: Session, actor: User, expert_id: int) -> Expert:
    """Administrators read every expert; an expert only their own record."""
    return EXPERT_POLICY.visible(actor, session.get(Expert, expert_id))


def own_expert(session: Session, actor: User) -> Expert:
    require_role(actor, Role.EXPERT)
    expert = session.scalar(select(Expert).where(Expert.user_id == actor.id))
    if expert is None:
        raise field_error("expert", _("专家档案不存在"))
    return expert


def list_experts(session: Session, actor: User, active: bool | None = None) -> list[Expert]:
    require_role(actor, Role.ADMIN)
    query = select(Expert).options(
        selectinload(Expert.conflicts).selectinload(ExpertConflict.organization)
    )
    if active is not None:
        query = query.where(Expert.active.is_(active))
    return list(session.scalars(query.order_by(Expert.active.desc(), Expert.name, Expert.id)))


def expert_input(expert: Expert) -> dict[str, Any]:
    return {
        "name": expert.name,
        "title": expert.title,
        "affiliation": expert.affiliation,
        "clusters": list(expert.clusters),
        "services": list(expert.services),
        "professional_title": expert.professional_title,
        "years_experience": expert.years_experience,
        "region": expert.region,
        "bio": expert.bio,
    }


def _facts(expert: Expert) -> dict[str, Any]:
    return {"clusters": list(expert.clusters), "services": list(expert.services)}


# --- admitting -------------------------------------------------------------------------------


def _admit(session: Session, actor: User, user: User, data: ExpertIn, **fields) -> Expert:
    if session.scalar(select(Expert.id).where(Expert.user_id == user.id)) is not None:
        raise Conflict(_("此人已在专家库中"))
    expert = Expert(
        user=user,
        admitted_by_id=actor.id,
        **data.model_dump(include=set(ExpertIn.model_fields)),
        **fields,
    )
    audit.log_added(session, actor, expert, "expert.admitted", "expert", **_facts(expert))
    enqueue_expert(session, expert)
    return expert


def admit_directly(session: Session, actor: User, body: Any) -> Expert:
    """A new expert account with a first password (the expert changes it after signing in)."""
    require_role(actor, Role.ADMIN)
    data = validate(NewExpertIn, body)
    user = create_user(session, data.email, data.password, Role.EXPERT, name=data.name)
    user.phone = data.phone
    return _admit(session, actor, user, data)


def admission_from_pool(session: Session, actor: User, profile_id: int) -> dict[str, Any]:
    """What an admission from the talent pool starts from: the person's own profile."""
    require_role(actor, Role.ADMIN)
    profile = TALENT_PROFILE_POLICY.visible(actor, session.get(TalentProfile, profile_id))
    return {
        "name": profile.user.name or "",
        "affiliation": profile.employer.name if profile.employer else "",
        "clusters": list(profile.clusters),
        "services": list(profile.specialities),
        "professional_title": profile.professional_title,
        "years_experience": profile.years_experience,
        "region": profile.region,
        "bio": profile.bio,
    }


def admit_from_pool(session: Session, actor: User, profile_id: int, body: Any) -> Expert:
    """The person's account becomes an expert account; its employer becomes a conflict."""
    require_role(actor, Role.ADMIN)
    profile = TALENT_PROFILE_POLICY.visible(actor, session.get(TalentProfile, profile_id))
    data = validate(ExpertIn, {**admission_from_pool(session, actor, profile_id), **body})
    user = profile.user
    if user.role != Role.DESIGNER:
        raise Conflict(_("只有个人设计师可以从人才库吸纳为专家"))
    user.role = Role.EXPERT
    expert = _admit(session, actor, user, data, profile_id=profile.id)
    if profile.employer_id is not None:
        _add_conflict(session, actor, expert, profile.employer_id, "employer", "")
    return expert


# --- changing ---------------------------------------------------------------------------------


def update_expert(session: Session, actor: User, expert_id: int, patch: Any) -> Expert:
    expert = EXPERT_POLICY.require(actor, "manage", session.get(Expert, expert_id))
    if not isinstance(patch, dict):
        patch = {}
    data = validate(ExpertIn, {**expert_input(expert), **patch})
    for name, value in data.model_dump().items():
        setattr(expert, name, value)
    expert.updated_at = utcnow()
    audit.log_event(session, actor, "expert.updated", "expert", expert.id, **_facts(expert))
    enqueue_expert(session, expert)
    return expert


def set_active(session: Session, actor: User, expert_id: int, active: bool) -> Expert:
    """Retire an expert (no new suggestions or assignments; the account cannot sign in) or
    reinstate one."""
    expert = EXPERT_POLICY.require(actor, "manage", session.get(Expert, expert_id))
    expert.active = active
    expert.user.active = active
    action = "expert.reinstated" if active else "expert.retired"
    audit.log_event(session, actor, action, "expert", expert.id)
    enqueue_expert(session, expert)
    return expert


def _add_conflict(
    session: Session, actor: User, expert: Expert, organization_id: int, relation: str, note: str
) -> ExpertConflict:
    if session.get(Organization, organization_id) is None:
        raise field_error("organization_id", _("单位不存在"))
    exists = session.scalar(
        select(ExpertConflict.id).where(
            ExpertConflict.expert_id == expert.id,
            ExpertConflict.organization_id == organization_id,
        )
    )
    if exists is not None:
        raise Conflict(_("已登记该单位的利益冲突"))
    conflict = ExpertConflict(
        expert=expert, organization_id=organization_id, relation=relation, note=note
    )
    session.add(conflict)
    session.flush()
    audit.log_event(
        session,
        actor,
        "expert.conflict_added",
        "expert",
        expert.id,
        organization_id=organization_id,
        relation=relation,
    )
    return conflict


def add_conflict(session: Session, actor: User, expert_id: int, body: Any) -> ExpertConflict:
    expert = EXPERT_POLICY.require(actor, "manage", session.get(Expert, expert_id))
    data = validate(ConflictIn, body)
    return _add_conflict(session, actor, expert, data.organization_id, data.relation, data.note)


def remove_conflict(session: Session, actor: User, expert_id: int, conflict_id: int) -> None:
    expert = EXPERT_POLICY.require(actor, "manage", session.get(Expert, expert_id))
    conflict = session.get(ExpertConflict, conflict_id)
    if conflict is None or conflict.expert_id != expert.id:
        raise field_error("conflict", _("记录不存在"))
    audit.log_event(
        session,
        actor,
        "expert.conflict_removed",
        "expert",
        expert.id,
        organization_id=conflict.organization_id,
    )
    session.delete(conflict)
    session.flush()


# --- conflicts and suggestions ---------------------------------------------------------------


def conflicted(session: Session, organization_id: int) -> set[int]:
    """Experts with a conflict of interest with this organisation."""
    return set(
        session.scalars(
            select(ExpertConflict.expert_id).where(
                ExpertConflict.organization_id == organization_id
            )
        )
    )


def has_conflict(session: Session, expert_id: int, organization_id: int) -> bool:
    return expert_id in conflicted(session, organization_id)


def suggest(
    session: Session,
    backend: SearchBackend,
    need: dict[str, Any],
    organization_id: int | None,
    k: int = 5,
    exclude: set[int] | frozenset[int] = frozenset(),
) -> list[Match]:
    """Active experts for a need record (``search.talent``'s shape), best first, with reasons;
    experts in conflict with ``organization_id`` (None: for no one organisation) are never
    among them."""
    conflicts = conflicted(session, organization_id) if organization_id is not None else set()
    left_out = conflicts | set(exclude)
    hits = backend.match_people(need, k, exclude=left_out, pool=EXPERTS)
    rows = {
        e.id: e
        for e in session.scalars(
            select(Expert).where(Expert.id.in_([h.id for h in hits]), Expert.active.is_(True))
        )
    }
    return [Match(rows[h.id], h) for h in hits if h.id in rows and h.id not in left_out]
