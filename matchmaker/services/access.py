"""Ownership rules shared by the services: who may act on which organisation's records."""

from __future__ import annotations

from flask_babel import gettext as _

from ..models import Demand, DemandStatus, Provider, Role, User
from .errors import Forbidden, NotFound

PUBLIC_DEMAND_STATUSES = (DemandStatus.PUBLISHED, DemandStatus.IN_NEGOTIATION, DemandStatus.CLOSED)


def require_role(actor: User | None, *roles: str) -> User:
    if actor is None or actor.role not in roles:
        raise Forbidden(_("没有权限执行此操作"))
    return actor


def owns(actor: User | None, organization_id: int) -> bool:
    return actor is not None and (actor.is_admin or actor.organization_id == organization_id)


def require_owner(actor: User | None, organization_id: int) -> User:
    if not owns(actor, organization_id):
        raise Forbidden(_("只能修改本单位的记录"))
    return actor


def can_view_demand(actor: User | None, demand: Demand) -> bool:
    """Owners and admins see every state; providers see what has been published."""
    if owns(actor, demand.organization_id):
        return True
    return (
        actor is not None
        and actor.role == Role.PROVIDER
        and demand.status in PUBLIC_DEMAND_STATUSES
    )


def visible_demand(actor: User | None, demand: Demand | None) -> Demand:
    # Invisible records are reported as missing, so their existence does not leak.
    if demand is None or not can_view_demand(actor, demand):
        raise NotFound(_("需求不存在"))
    return demand


def own_provider(actor: User | None) -> Provider:
    if actor is None or actor.role != Role.PROVIDER or actor.organization is None:
        raise Forbidden(_("仅设计服务方可以执行此操作"))
    if actor.organization.provider is None:
        raise Forbidden(_("请先完善服务能力档案"))
    return actor.organization.provider
