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
    Accreditation,
    Case,
    CommonNeed,
    Demand,
    DemandStatus,
    DiagnosisRequest,
    Expert,
    Interest,
    Provider,
    Role,
    SavedSearch,
    ShowcaseEntry,
    ShowcaseStatus,
    TalentContact,
    TalentNeed,
    TalentNeedStatus,
    TalentProfile,
    User,
)
from .errors import Forbidden, NotFound, Unconfirmed
from .vouching import organization_vouched, person_vouched

T = TypeVar("T")
Rule = Callable[[User | None, Any], bool]
Message = Callable[[], str]


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


def require_confirmed(actor: User | None) -> User | None:
    """Whatever reaches someone else — a demand sent for review, an interest, a decision, a
    message, an invitation, contact details — waits until the actor's address is confirmed;
    an account still waiting for it signs in and drafts only (docs/security.md, P8)."""
    if actor is not None and actor.email_confirmed_at is None:
        raise Unconfirmed(
            _(
                "请先确认您的邮箱：打开注册邮件中的链接后，才能提交审核、表达意向、"
                "处理意向、发送消息和查看联系方式。"
            )
        )
    return actor


def is_confirmed(actor: User | None) -> bool:
    return actor is not None and actor.email_confirmed_at is not None


def is_admin(actor: User | None, _record: Any = None) -> bool:
    return actor is not None and actor.is_admin


def owns(actor: User | None, organization_id: int) -> bool:
    """Administrators act for every organisation; everyone else for their own."""
    return actor is not None and (actor.is_admin or actor.organization_id == organization_id)


def member_of(actor: User | None, organization_id: int) -> bool:
    return actor is not None and actor.organization_id == organization_id


def is_provider(actor: User | None, _record: Any = None) -> bool:
    return actor is not None and actor.role == Role.PROVIDER


def _not_yours() -> str:
    return _("只能管理本单位的记录")


def _admins_only() -> str:
    return _("没有权限执行此操作")


# --- one policy per record type ----------------------------------------------------------------


def _sees_demand(actor: User | None, demand: Demand) -> bool:
    """Its organisation and administrators see every state; providers what was published."""
    return owns(actor, demand.organization_id) or (
        is_provider(actor) and demand.status in DemandStatus.PUBLIC
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


def _sees_provider(actor: User | None, provider: Provider) -> bool:
    """Capability profiles are public once someone confirmed vouches for the organisation
    (``vouching``); before that its own people and administrators alone see it."""
    return owns(actor, provider.organization_id) or organization_vouched(provider.organization)


PROVIDER_POLICY: Policy[Provider] = Policy(
    missing=lambda: _("服务方不存在"),
    see=_sees_provider,
    actions={
        # edit the profile and its cases, read its recommended leads
        "manage": (lambda actor, p: owns(actor, p.organization_id), _not_yours),
        "delete": (is_admin, _admins_only),
    },
)

CASE_POLICY: Policy[Case] = Policy(
    missing=lambda: _("案例不存在"),
    see=lambda actor, c: _sees_provider(actor, c.provider),  # part of the profile
    actions={"manage": (lambda actor, c: owns(actor, c.provider.organization_id), _not_yours)},
)

SAVED_SEARCH_POLICY: Policy[SavedSearch] = Policy(
    missing=lambda: _("保存的搜索不存在"),
    see=lambda actor, s: actor is not None and s.user_id == actor.id,
    actions={},
)


# --- the talent pool ---------------------------------------------------------------------------


def is_self(actor: User | None, user_id: int) -> bool:
    return actor is not None and actor.id == user_id


def signed_in_member(actor: User | None, _record: Any = None) -> bool:
    """Someone of an organisation, an individual designer or an administrator; not an
    expert, who sees their assignments and nothing else."""
    return actor is not None and actor.role in (
        Role.ADMIN,
        Role.ENTERPRISE,
        Role.PROVIDER,
        Role.DESIGNER,
    )


def of_organization(actor: User | None, _record: Any = None) -> bool:
    return actor is not None and actor.role in (Role.ENTERPRISE, Role.PROVIDER)


TALENT_PROFILE_POLICY: Policy[TalentProfile] = Policy(
    missing=lambda: _("人才档案不存在"),
    # The person and administrators read the profile; everyone else reads the anonymised
    # card of a listed profile whose person confirmed the address (``talent.cards``), and
    # any other does not exist for them.
    see=lambda actor, p: (
        is_self(actor, p.user_id) or is_admin(actor) or (p.listed and person_vouched(p.user))
    ),
    actions={
        "manage": (lambda actor, p: is_self(actor, p.user_id), lambda: _("只能管理自己的档案")),
        # ask the person, about one of the organisation's needs, to get in touch
        "contact": (of_organization, lambda: _("仅企业和设计服务方可以联系人才")),
    },
)

TALENT_NEED_POLICY: Policy[TalentNeed] = Policy(
    missing=lambda: _("岗位不存在"),
    see=lambda actor, n: (
        owns(actor, n.organization_id)
        or (
            signed_in_member(actor)
            and n.status == TalentNeedStatus.OPEN
            and organization_vouched(n.organization)
        )
    ),
    actions={"manage": (lambda actor, n: owns(actor, n.organization_id), _not_yours)},
)

TALENT_CONTACT_POLICY: Policy[TalentContact] = Policy(
    missing=lambda: _("联系请求不存在"),
    # the person, the organisation that asked and administrators
    see=lambda actor, c: is_self(actor, c.profile.user_id) or owns(actor, c.need.organization_id),
    actions={
        "answer": (
            lambda actor, c: is_self(actor, c.profile.user_id),
            lambda: _("只有被联系的人才可以答复"),
        ),
        "hire": (
            lambda actor, c: owns(actor, c.need.organization_id),
            lambda: _("只有发布岗位的单位可以登记录用"),
        ),
    },
)


# --- the expert pool ---------------------------------------------------------------------------

EXPERT_POLICY: Policy[Expert] = Policy(
    missing=lambda: _("专家不存在"),
    # administrators keep the pool; an expert reads their own record and nothing else
    see=lambda actor, e: is_admin(actor) or is_self(actor, e.user_id),
    actions={"manage": (is_admin, _admins_only)},
)


# --- diagnostic visits ---------------------------------------------------------------------------


def assigned_expert(actor: User | None, request: DiagnosisRequest) -> bool:
    return actor is not None and any(
        a.expert is not None and a.expert.user_id == actor.id for a in request.assignments
    )


def assigned_provider(actor: User | None, request: DiagnosisRequest) -> bool:
    return actor is not None and any(
        a.provider is not None and member_of(actor, a.provider.organization_id)
        for a in request.assignments
    )


DIAGNOSIS_POLICY: Policy[DiagnosisRequest] = Policy(
    missing=lambda: _("诊断申请不存在"),
    # the enterprise, administrators, and whoever is assigned to the visit
    see=lambda actor, r: (
        owns(actor, r.organization_id) or assigned_expert(actor, r) or assigned_provider(actor, r)
    ),
    actions={
        # suggest and assign experts and providers, schedule the visit
        "arrange": (is_admin, _admins_only),
        "cancel": (lambda actor, r: owns(actor, r.organization_id), _not_yours),
        "report": (assigned_expert, lambda: _("只有分派的专家可以填写诊断报告")),
        # turn a recommendation of the report into a draft demand
        "adopt": (lambda actor, r: owns(actor, r.organization_id), _not_yours),
    },
)


# --- design-centre accreditation -----------------------------------------------------------------


def reviews_accreditation(actor: User | None, accreditation: Accreditation) -> bool:
    """An expert seated on the application's panel."""
    return actor is not None and any(r.expert.user_id == actor.id for r in accreditation.reviews)


ACCREDITATION_POLICY: Policy[Accreditation] = Policy(
    missing=lambda: _("认定申请不存在"),
    # the applicant organisation, administrators and the experts reviewing it
    see=lambda actor, a: owns(actor, a.organization_id) or reviews_accreditation(actor, a),
    actions={
        # complete the materials of a returned application, add files
        "complete": (lambda actor, a: member_of(actor, a.organization_id), _not_yours),
        # check completeness, seat reviewers, decide
        "administer": (is_admin, _admins_only),
        "score": (reviews_accreditation, lambda: _("只有分派的评审专家可以评分")),
    },
)


# --- the good-design showcase ---------------------------------------------------------------------


def reviews_entry(actor: User | None, entry: ShowcaseEntry) -> bool:
    return actor is not None and any(r.expert.user_id == actor.id for r in entry.reviews)


def _public_winner(entry: ShowcaseEntry) -> bool:
    return entry.status == ShowcaseStatus.WINNER and entry.year.announced_at is not None


SHOWCASE_POLICY: Policy[ShowcaseEntry] = Policy(
    missing=lambda: _("作品不存在"),
    # announced winners are public; otherwise the provider, administrators and its reviewers
    see=lambda actor, e: (
        _public_winner(e) or owns(actor, e.provider.organization_id) or reviews_entry(actor, e)
    ),
    actions={
        "manage": (lambda actor, e: member_of(actor, e.provider.organization_id), _not_yours),
        "administer": (is_admin, _admins_only),
        "score": (reviews_entry, lambda: _("只有分派的评审专家可以评分")),
    },
)


# --- cluster common needs ------------------------------------------------------------------------


def asked_to_join(actor: User | None, need: CommonNeed) -> bool:
    """An enterprise asked to take part (whether or not it joined yet)."""
    return actor is not None and any(member_of(actor, m.organization_id) for m in need.members)


def invited_provider(actor: User | None, need: CommonNeed) -> bool:
    return actor is not None and any(
        member_of(actor, i.provider.organization_id) for i in need.invitations
    )


COMMON_NEED_POLICY: Policy[CommonNeed] = Policy(
    missing=lambda: _("共性需求不存在"),
    # administrators, the enterprises asked to take part, the providers invited to answer
    see=lambda actor, n: is_admin(actor) or asked_to_join(actor, n) or invited_provider(actor, n),
    actions={
        "administer": (is_admin, _admins_only),
        "join": (asked_to_join, lambda: _("只有受邀企业可以加入")),
        "answer": (invited_provider, lambda: _("只有受邀服务方可以答复")),
    },
)


def own_provider(actor: User | None) -> Provider:
    """The acting user's own capability profile (Forbidden for other roles or without one)."""
    if actor is None or actor.role != Role.PROVIDER or actor.organization is None:
        raise Forbidden(_("仅设计服务方可以执行此操作"))
    if actor.organization.provider is None:
        raise Forbidden(_("请先完善服务能力档案"))
    return actor.organization.provider
