"""Proposed groups: open demands of different enterprises in one cluster, alike by the
matcher's signals at the administrator's threshold; demands already in a common need are
left out."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search.grouping import DEFAULT_THRESHOLD, find_groups

from ...models import CommonNeedMember, Demand, DemandStatus, Role, User
from ...taxonomy import get_taxonomy
from ..access import require_role
from ..errors import field_error


@dataclass(frozen=True)
class Proposal:
    cluster: str
    demands: list[Demand]
    similarity: float
    services: tuple[str, ...]


def record(demand: Demand) -> dict:
    return {
        "id": demand.id,
        "organization_id": demand.organization_id,
        "cluster": demand.cluster,
        "title": demand.title,
        "description": demand.description,
        "services": list(demand.services),
    }


def checked_threshold(value) -> float:
    try:
        threshold = float(value)
    except (TypeError, ValueError):
        raise field_error("threshold", _("请填写 0.5 到 1 之间的数")) from None
    if not 0.5 <= threshold <= 1:
        raise field_error("threshold", _("请填写 0.5 到 1 之间的数"))
    return threshold


def proposals(
    session: Session, actor: User, threshold: float = DEFAULT_THRESHOLD, cluster: str | None = None
) -> list[Proposal]:
    require_role(actor, Role.ADMIN)
    threshold = checked_threshold(threshold)
    taken = select(CommonNeedMember.demand_id).where(CommonNeedMember.demand_id.is_not(None))
    query = (
        select(Demand)
        .options(selectinload(Demand.organization))
        .where(Demand.status.in_(DemandStatus.OPEN), Demand.id.not_in(taken))
    )
    if cluster:
        query = query.where(Demand.cluster == cluster)
    demands = {d.id: d for d in session.scalars(query.order_by(Demand.id))}
    groups = find_groups([record(d) for d in demands.values()], get_taxonomy().raw, threshold)
    return [
        Proposal(g.cluster, [demands[i] for i in g.demand_ids], g.similarity, g.services)
        for g in groups
    ]
