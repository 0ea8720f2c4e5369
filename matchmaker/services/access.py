"""Who may see and who may change each kind of record: one small policy per record type.

Services look records up through these policies before they read or act, so no view can
skip them (Invenio's record permission policies are the model). The answers are the same
everywhere: a record the actor may not see is ``NotFound`` (404), so its existence does not
leak; a record the actor sees but may not act on is ``Forbidden`` (403). The visibility rule
runs first, so "not yours" is only ever said about a record the actor could see anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import gettext as _

from ..models import (
    Case,
    Demand,
    DemandStatus,
    Interest,
    Provider,
    Role,
    SavedSearch,
    User,
)
from .errors import Forbidden, NotFound

T = TypeVar("T")
Rule = Callable[[User | None, Any], bool]
Message = Callable[[], str]

PUBLIC_DEMAND_STATUSES = (DemandStatus.PUBLISHED, DemandStatus.IN_NEGOTIATION, DemandStatus.CLOSED)


@dataclass(frozen=True)
class Policy(Generic[T]):
    """``see`` decides who may know the record exists; each action has its own rule and the
    message given to someone who sees the record but may not do that."""

    missing: Message
    see: Rule
    actions: Mapping[str, tuple[Rule, Message]]

    def can(self, actor: User | None, action: str, record: T) -> bool:
        if not self.see(actor, record):
            return False
        return action == "see" or self.actions[action][0](actor, record)

    def visible(self, actor: User | None, record: T | None) -> T:
        if record is None or not self.see(actor, record):
            raise NotFound(self.missing())
        return record

    def require(self, actor: User | None, action: str, record: T | None) -> T:
        record = self.visible(actor, record)
        rule, message = self.actions[action]
        if not rule(actor, record):
            raise Forbidden(message())
        return record


# --- plain rules -----------------------------------------------------------------------------


def require_role(actor: User | None, *roles: str) -> User:
    if actor is None or actor.role not in roles:
        raise Forbidden(_("没有权限执行此操作"))
    return actor


def is_admin(actor: User | None, _record: Any = None) -> bool:
    return actor is not None and actor.is_admin


def owns(actor: User | None, organization_id: int) -> bool:
    """Administrators act for every organisation; everyone else for their own."""
    return actor is not None and (actor.is_admin or actor.organization_id == organization_id)


def member_of(actor: User | None, organization_id: int) -> bool:
    return actor is not None and actor.organization_id == organization_id


def is_provider(actor: User | None, _record: Any = None) -> bool:
    return actor is not None and actor.role == Role.PROVIDER


def anyone(_actor: User | None, _record: Any) -> bool:
    return True


def _not_yours() -> str:
    return _("只能管理本单位的记录")


def _admins_only() -> str:
    return _("没有权限执行此操作")


# --- one policy per record type ----------------------------------------------------------------


def _sees_demand(actor: User | None, demand: Demand) -> bool:
    """Its organisation and administrators see every state; providers what was published."""
    return owns(actor, demand.organization_id) or (
        is_provider(actor) and demand.status in PUBLIC_DEMAND_STATUSES
    )


DEMAND_POLICY: Policy[Demand] = Policy(
    missing=lambda: _("需求不存在"),
    see=_sees_demand,
    actions={
        # edit, submit, withdraw, delete, attach files, invite, read its interests and matches
        "manage": (lambda actor, d: owns(actor, d.organization_id), _not_yours),
        "answer": (is_provider, lambda: _("仅设计服务方可以执行此操作")),
        "review": (is_admin, _admins_only),
    },
)

INTEREST_POLICY: Policy[Interest] = Policy(
    missing=lambda: _("意向不存在"),
    # the two sides and administrators; nobody else learns that an interest exists
    see=lambda actor, i: (
        owns(actor, i.demand.organization_id) or member_of(actor, i.provider.organization_id)
    ),
    actions={
        "decide": (
            lambda actor, i: owns(actor, i.demand.organization_id),
            lambda: _("只有需求方可以处理该意向"),
        ),
        "withdraw": (
            lambda actor, i: member_of(actor, i.provider.organization_id),
            lambda: _("只有提交意向的服务方可以撤回"),
        ),
    },
)

PROVIDER_POLICY: Policy[Provider] = Policy(
    missing=lambda: _("服务方不存在"),
    see=anyone,  # capability profiles are public
    actions={
        # edit the profile and its cases, read its recommended leads
        "manage": (lambda actor, p: owns(actor, p.organization_id), _not_yours),
        "delete": (is_admin, _admins_only),
    },
)

CASE_POLICY: Policy[Case] = Policy(
    missing=lambda: _("案例不存在"),
    see=anyone,  # part of the public profile
    actions={"manage": (lambda actor, c: owns(actor, c.provider.organization_id), _not_yours)},
)

SAVED_SEARCH_POLICY: Policy[SavedSearch] = Policy(
    missing=lambda: _("保存的搜索不存在"),
    see=lambda actor, s: actor is not None and s.user_id == actor.id,
    actions={},
)


def own_provider(actor: User | None) -> Provider:
    """The acting user's own capability profile (Forbidden for other roles or without one)."""
    if actor is None or actor.role != Role.PROVIDER or actor.organization is None:
        raise Forbidden(_("仅设计服务方可以执行此操作"))
    if actor.organization.provider is None:
        raise Forbidden(_("请先完善服务能力档案"))
    return actor.organization.provider
