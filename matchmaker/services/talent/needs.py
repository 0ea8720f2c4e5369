"""Talent needs (岗位): organisations post, change and close them.

open → closed (filled: every place taken through hires on the platform; withdrawn: by the
organisation). Closed needs leave the index and the recommendations.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...models import (
    Organization,
    Role,
    TalentContact,
    TalentContactStatus,
    TalentNeed,
    TalentNeedStatus,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit
from ..access import TALENT_NEED_POLICY, require_role
from ..errors import Conflict, Forbidden, field_error
from ..indexing import enqueue_opening
from .inputs import TalentNeedIn

POSTERS = (Role.ADMIN, Role.ENTERPRISE, Role.PROVIDER)
FILLED = "filled"
WITHDRAWN = "withdrawn"


def read_need(session: Session, actor: User | None, need_id: int) -> TalentNeed:
    return TALENT_NEED_POLICY.visible(actor, session.get(TalentNeed, need_id))


def managed_need(session: Session, actor: User | None, need_id: int) -> TalentNeed:
    return TALENT_NEED_POLICY.require(actor, "manage", session.get(TalentNeed, need_id))


def need_input(need: TalentNeed) -> dict[str, Any]:
    return {
        "title": need.title,
        "description": need.description,
        "specialities": list(need.specialities),
        "clusters": list(need.clusters),
        "min_title": need.min_title,
        "min_years": need.min_years,
        "headcount": need.headcount,
        "region": need.region,
        "salary_min": need.salary_min,
        "salary_max": need.salary_max,
        "organization_id": need.organization_id,
    }


def _organization(session: Session, actor: User, data: TalentNeedIn) -> Organization:
    if not actor.is_admin:
        if data.organization_id not in (None, actor.organization_id):
            raise Forbidden(_("只能为本单位发布岗位"))
        if actor.organization is None:
            raise Forbidden(_("没有权限执行此操作"))
        return actor.organization
    if data.organization_id is None:
        raise field_error("organization_id", _("必填"))
    organization = session.get(Organization, data.organization_id)
    if organization is None:
        raise field_error("organization_id", _("单位不存在"))
    return organization


def _facts(need: TalentNeed) -> dict[str, Any]:
    """What statistics read from the audit trail about a need."""
    return {
        "specialities": list(need.specialities),
        "clusters": list(need.clusters),
        "region": need.region,
        "headcount": need.headcount,
    }


_FIELDS = (
    "title",
    "description",
    "specialities",
    "clusters",
    "min_title",
    "min_years",
    "headcount",
    "region",
    "salary_min",
    "salary_max",
)


def create_need(session: Session, actor: User, body: Any) -> TalentNeed:
    require_role(actor, *POSTERS)
    data = validate(TalentNeedIn, body)
    need = TalentNeed(
        organization=_organization(session, actor, data),
        created_by_id=actor.id,
        status=TalentNeedStatus.OPEN,
        **{name: getattr(data, name) for name in _FIELDS},
    )
    audit.log_added(session, actor, need, "talent_need.created", "talent_need", **_facts(need))
    enqueue_opening(session, need)
    return need


def update_need(session: Session, actor: User, need_id: int, patch: Any) -> TalentNeed:
    need = managed_need(session, actor, need_id)
    if need.status != TalentNeedStatus.OPEN:
        raise Conflict(_("岗位已关闭，不能修改"))
    if not isinstance(patch, dict):
        patch = {}
    data = validate(TalentNeedIn, {**need_input(need), **patch})
    if data.headcount < need.filled:
        raise field_error("headcount", _("不得小于已录用人数 %(n)s", n=need.filled))
    if actor.is_admin and data.organization_id != need.organization_id:
        need.organization = _organization(session, actor, data)
    for name in _FIELDS:
        setattr(need, name, getattr(data, name))
    audit.log_event(
        session,
        actor,
        "talent_need.updated",
        "talent_need",
        need.id,
        fields=sorted(patch),
        **_facts(need),
    )
    enqueue_opening(session, need)
    return need


def close(session: Session, actor: User | None, need: TalentNeed, reason: str) -> None:
    """Close an open need: every contact still waiting is answered for the person."""
    if need.status != TalentNeedStatus.OPEN:
        raise Conflict(_("岗位已关闭"))
    need.status, need.close_reason, need.closed_at = TalentNeedStatus.CLOSED, reason, utcnow()
    pending = session.scalars(
        select(TalentContact).where(
            TalentContact.need_id == need.id,
            TalentContact.status == TalentContactStatus.PENDING,
        )
    )
    for contact in pending:
        contact.status, contact.decided_at = TalentContactStatus.DECLINED, utcnow()
    audit.log_event(
        session,
        actor,
        f"talent_need.closed_{reason}",
        "talent_need",
        need.id,
        filled=need.filled,
        **_facts(need),
    )
    enqueue_opening(session, need)


def withdraw(session: Session, actor: User, need_id: int) -> TalentNeed:
    need = managed_need(session, actor, need_id)
    close(session, actor, need, WITHDRAWN)
    return need


def own_needs(session: Session, actor: User) -> list[tuple[TalentNeed, int, int]]:
    """The organisation's needs, open first and newest first, with (contacts, accepted)."""
    require_role(actor, Role.ENTERPRISE, Role.PROVIDER)
    needs = list(
        session.scalars(
            select(TalentNeed)
            .where(TalentNeed.organization_id == actor.organization_id)
            .order_by(
                (TalentNeed.status == TalentNeedStatus.OPEN).desc(),
                TalentNeed.created_at.desc(),
                TalentNeed.id.desc(),
            )
        )
    )
    counts: dict[int, tuple[int, int]] = {}
    if needs:
        rows = session.execute(
            select(
                TalentContact.need_id,
                func.count(TalentContact.id),
                func.count(TalentContact.id).filter(
                    TalentContact.status.in_(
                        (TalentContactStatus.ACCEPTED, TalentContactStatus.HIRED)
                    )
                ),
            )
            .where(TalentContact.need_id.in_([n.id for n in needs]))
            .group_by(TalentContact.need_id)
        )
        counts = {need_id: (total, accepted) for need_id, total, accepted in rows}
    return [(n, *counts.get(n.id, (0, 0))) for n in needs]


def delete_need(session: Session, actor: User, need_id: int) -> None:
    """Administrators remove a need (spam, duplicates); organisations withdraw theirs."""
    require_role(actor, Role.ADMIN)
    need = managed_need(session, actor, need_id)
    enqueue_opening(session, need)
    audit.log_event(session, actor, "talent_need.deleted", "talent_need", need.id)
    session.execute(delete(TalentContact).where(TalentContact.need_id == need.id))
    session.delete(need)
    session.flush()
