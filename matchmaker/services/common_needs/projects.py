"""Common-need projects: an administrator turns a proposed group into a project with a shared
brief; each enterprise asked opts in (or declines) and appears only once it joined."""

from __future__ import annotations

from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search.grouping import Similarity

from ...models import (
    CommonNeed,
    CommonNeedInvitation,
    CommonNeedMember,
    CommonNeedStatus,
    Demand,
    DemandStatus,
    Role,
    User,
    utcnow,
)
from ...schemas import RecordId, Strict, validate
from ...taxonomy import get_taxonomy
from .. import audit
from ..access import COMMON_NEED_POLICY, member_of, require_role
from ..errors import Conflict, field_error
from ..notifications import notify_organization
from .detection import checked_threshold, record

SUBJECT = "common_need"
JOINED, DECLINED, INVITED = "joined", "declined", "invited"


class CommonNeedIn(Strict):
    demand_ids: Annotated[list[RecordId], Field(min_length=2, max_length=30)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    brief: Annotated[str, Field(min_length=1, max_length=5000)] = Field(
        description="The shared brief providers answer"
    )
    threshold: Annotated[float, Field(ge=0.5, le=1)] = Field(
        description="The similarity the group was found at"
    )


class MembershipIn(Strict):
    join: bool


def link(need: CommonNeed) -> str:
    return f"/common-needs/{need.id}"


def read(session: Session, actor: User, need_id: int) -> CommonNeed:
    return COMMON_NEED_POLICY.visible(actor, session.get(CommonNeed, need_id))


def list_for(session: Session, actor: User) -> list[CommonNeed]:
    """Administrators all; an enterprise those it was asked to join; a provider those it was
    invited to answer."""
    query = select(CommonNeed).options(
        selectinload(CommonNeed.members), selectinload(CommonNeed.invitations)
    )
    if not actor.is_admin:
        if actor.organization_id is None:
            return []
        org = actor.organization_id
        asked = select(CommonNeedMember.need_id).where(CommonNeedMember.organization_id == org)
        invited = (
            select(CommonNeedInvitation.need_id)
            .join(CommonNeedInvitation.provider)
            .where(CommonNeedInvitation.provider.has(organization_id=org))
        )
        query = query.where(CommonNeed.id.in_(asked) | CommonNeed.id.in_(invited))
    return list(session.scalars(query.order_by(CommonNeed.id.desc())))


def participants(actor: User | None, need: CommonNeed) -> list[CommonNeedMember]:
    """Who takes part, as the reader may see it. Administrators see every enterprise asked,
    with its answer; an enterprise, and the provider chosen for the group, the enterprises that
    joined; any other provider nobody (the number of participants only)."""
    if actor is not None and actor.is_admin:
        return list(need.members)
    joined = [m for m in need.members if m.status == JOINED]
    chosen = need.provider is not None and member_of(actor, need.provider.organization_id)
    if chosen or any(member_of(actor, m.organization_id) for m in joined):
        return joined
    return []


def joined_count(need: CommonNeed) -> int:
    return sum(1 for m in need.members if m.status == JOINED)


def create(session: Session, actor: User, body: Any) -> CommonNeed:
    """A project from a group of open demands of different enterprises in one cluster; each
    enterprise is asked to join."""
    require_role(actor, Role.ADMIN)
    data = validate(CommonNeedIn, body if isinstance(body, dict) else {})
    ids = list(dict.fromkeys(data.demand_ids))
    if len(ids) < 2:  # a repeated id counts once: a group needs two demands
        raise field_error("demand_ids", _("至少选择 %(n)s 项", n=2))
    demands = list(session.scalars(select(Demand).where(Demand.id.in_(ids)).order_by(Demand.id)))
    if len(demands) != len(ids) or any(d.status not in DemandStatus.OPEN for d in demands):
        raise field_error("demand_ids", _("只能选择正在征集的需求"))
    if len({d.cluster for d in demands}) != 1:
        raise field_error("demand_ids", _("共性需求的需求须属于同一产业集群"))
    if len({d.organization_id for d in demands}) != len(demands):
        raise field_error("demand_ids", _("每家企业只能有一项需求加入"))
    taken = session.scalar(
        select(CommonNeedMember.demand_id).where(CommonNeedMember.demand_id.in_(ids)).limit(1)
    )
    if taken is not None:
        raise Conflict(_("有需求已属于另一个共性需求"), {"demand_ids": [str(taken)]})
    similar = Similarity([record(d) for d in demands], get_taxonomy().raw)
    pairs = [similar(a.id, b.id) for i, a in enumerate(demands) for b in demands[i + 1 :]]
    services = list(dict.fromkeys(code for d in demands for code in d.services))
    need = CommonNeed(
        cluster=demands[0].cluster,
        title=data.title,
        brief=data.brief,
        services=services,
        threshold=checked_threshold(data.threshold),
        similarity=round(sum(pairs) / len(pairs), 4),
        created_by_id=actor.id,
        members=[CommonNeedMember(organization_id=d.organization_id, demand=d) for d in demands],
    )
    audit.log_added(
        session,
        actor,
        need,
        "common_need.created",
        SUBJECT,
        cluster=need.cluster,
        demands=[d.id for d in demands],
        similarity=need.similarity,
        threshold=need.threshold,
    )
    for demand in demands:
        notify_organization(
            session, demand.organization, "common_need_asked", link(need), title=need.title
        )
    return need


def respond(session: Session, actor: User, need_id: int, body: Any) -> CommonNeedMember:
    """The enterprise opts in (it then appears in the project) or declines."""
    need = COMMON_NEED_POLICY.require(actor, "join", session.get(CommonNeed, need_id))
    data = validate(MembershipIn, body if isinstance(body, dict) else {})
    if need.status != CommonNeedStatus.OPEN:
        raise Conflict(_("该共性需求已不再接受加入"))
    member = next(m for m in need.members if m.organization_id == actor.organization_id)
    member.status, member.responded_at = (JOINED if data.join else DECLINED), utcnow()
    need.updated_at = utcnow()
    audit.log_event(
        session,
        actor,
        "common_need.joined" if data.join else "common_need.declined",
        SUBJECT,
        need.id,
        organization_id=member.organization_id,
    )
    return member


def guide_briefs(session: Session, clusters: set[str]) -> list[dict[str, Any]]:
    """What a guide edition freezes of the common needs of its clusters (not the closed
    ones): never which enterprises take part, only how many joined."""
    rows = session.scalars(
        select(CommonNeed)
        .options(selectinload(CommonNeed.members))
        .where(CommonNeed.status != CommonNeedStatus.CLOSED, CommonNeed.cluster.in_(clusters))
        .order_by(CommonNeed.cluster, CommonNeed.id)
    )
    return [
        {
            "id": n.id,
            "title": n.title,
            "cluster": n.cluster,
            "services": list(n.services),
            "joined": joined_count(n),
            "status": n.status,
        }
        for n in rows
    ]
