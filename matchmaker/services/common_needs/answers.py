"""Providers for a common need: ranked by the design matcher for the whole group, invited,
answering; one chosen for the group; the outcome recorded."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy.orm import Session

from search import SearchBackend

from ...models import CommonNeed, CommonNeedInvitation, CommonNeedStatus, Provider, User, utcnow
from ...schemas import Strict, validate
from .. import audit
from ..access import COMMON_NEED_POLICY, member_of
from ..errors import Conflict, field_error
from ..matching import Match, provider_matches
from ..notifications import notify_organization
from .projects import JOINED, SUBJECT, link

S = CommonNeedStatus
Money = Annotated[int, Field(ge=0, le=2_000_000_000)]


class AnswerIn(Strict):
    interested: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class OutcomeIn(Strict):
    won: bool
    contract_value: Money | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


def need_record(need: CommonNeed) -> dict[str, Any]:
    """The whole group as one demand for the matcher: the brief with the joined demands'
    texts, the services they name, the cluster, their districts' most common one and their
    budgets together."""
    joined = [m.demand for m in need.members if m.status == JOINED and m.demand is not None]
    texts = [need.brief, *(f"{d.title} {d.description}" for d in joined)]
    regions = Counter(d.region for d in joined)
    budget = sum((d.budget_max or d.budget_min or 0) for d in joined) or None
    return {
        "id": need.id,
        "title": need.title,
        "description": "\n".join(texts),
        "cluster": need.cluster,
        "services": list(need.services),
        "region": regions.most_common(1)[0][0] if regions else None,
        "budget_min": None,
        "budget_max": budget,
    }


def _open(session: Session, actor: User, need_id: int, action: str) -> CommonNeed:
    need = COMMON_NEED_POLICY.require(actor, action, session.get(CommonNeed, need_id))
    if need.status != S.OPEN:
        raise Conflict(_("该共性需求已选定服务方或已结束"))
    return need


def suggested(
    session: Session, backend: SearchBackend, actor: User, need_id: int, k: int = 8
) -> list[Match]:
    need = _open(session, actor, need_id, "administer")
    hits = backend.match_providers(
        need_record(need), k, exclude={i.provider_id for i in need.invitations}
    )
    return provider_matches(session, hits)


def invite(
    session: Session, actor: User, need_id: int, provider_id: Any, score: float | None = None
) -> CommonNeedInvitation:
    need = _open(session, actor, need_id, "administer")
    if not any(m.status == JOINED for m in need.members):
        raise Conflict(_("还没有企业加入，暂不能邀请服务方"))
    provider = session.get(Provider, provider_id) if isinstance(provider_id, int) else None
    if provider is None:
        raise field_error("provider_id", _("服务方不存在"))
    if any(i.provider_id == provider.id for i in need.invitations):
        raise Conflict(_("已邀请该服务方"))
    invitation = CommonNeedInvitation(provider=provider, score=score)
    need.invitations.append(invitation)
    session.flush()
    audit.log_event(
        session, actor, "common_need.provider_invited", SUBJECT, need.id, provider_id=provider.id
    )
    notify_organization(
        session, provider.organization, "common_need_invited", link(need), title=need.title
    )
    return invitation


def answer(session: Session, actor: User, need_id: int, body: Any) -> CommonNeedInvitation:
    need = _open(session, actor, need_id, "answer")
    data = validate(AnswerIn, body if isinstance(body, dict) else {})
    invitation = next(i for i in need.invitations if member_of(actor, i.provider.organization_id))
    invitation.status = "interested" if data.interested else "declined"
    invitation.note, invitation.responded_at = data.note, utcnow()
    audit.log_event(
        session,
        actor,
        "common_need.answered",
        SUBJECT,
        need.id,
        provider_id=invitation.provider_id,
        interested=data.interested,
    )
    return invitation


def choose(session: Session, actor: User, need_id: int, provider_id: Any) -> CommonNeed:
    """The provider for the group, among those that said they are interested; it now sees
    the enterprises that joined, and they are told."""
    need = _open(session, actor, need_id, "administer")
    invitation = next(
        (i for i in need.invitations if i.provider_id == provider_id and i.status == "interested"),
        None,
    )
    if invitation is None:
        raise field_error("provider_id", _("只能选择表示有意向的受邀服务方"))
    need.provider, need.status, need.updated_at = invitation.provider, S.MATCHED, utcnow()
    audit.log_event(
        session, actor, "common_need.matched", SUBJECT, need.id, provider_id=invitation.provider_id
    )
    notify_organization(
        session,
        invitation.provider.organization,
        "common_need_chosen",
        link(need),
        title=need.title,
    )
    for member in need.members:
        if member.status == JOINED:
            notify_organization(
                session, member.organization, "common_need_matched", link(need), title=need.title
            )
    return need


def record_outcome(session: Session, actor: User, need_id: int, body: Any) -> CommonNeed:
    need = COMMON_NEED_POLICY.require(actor, "administer", session.get(CommonNeed, need_id))
    if need.status not in (S.OPEN, S.MATCHED):
        raise Conflict(_("该共性需求已结束"))
    data = validate(OutcomeIn, body if isinstance(body, dict) else {})
    if data.won and need.status != S.MATCHED:
        raise Conflict(_("请先选定服务方"))
    if data.won and data.contract_value is None:
        raise field_error("contract_value", _("请填写合同金额"))
    need.status = S.WON if data.won else S.CLOSED
    need.contract_value = data.contract_value if data.won else None
    need.outcome_note, need.updated_at = data.note, utcnow()
    audit.log_event(
        session,
        actor,
        "common_need.won" if data.won else "common_need.closed",
        SUBJECT,
        need.id,
        cluster=need.cluster,
        contract_value=need.contract_value,
    )
    return need
