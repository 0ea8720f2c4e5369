"""Design needs (设计需求): posting, editing, reviewing and closing them.

The moves between statuses are the table in ``demand_lifecycle``: an owner's edit of a
published demand sends it back to review; past the deadline, published and in-review demands
expire; closing withdraws or declines the interests still pending.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload

from ..models import (
    CloseReason,
    Demand,
    DemandStatus,
    Interest,
    InterestStatus,
    Organization,
    OrgType,
    Role,
    User,
    utcnow,
)
from ..schemas import DemandIn, validate
from . import audit, versions
from . import demand_lifecycle as lifecycle
from .access import DEMAND_POLICY, require_confirmed, require_role
from .accounts import get_or_create_organization
from .demand_lifecycle import InvalidTransition
from .demand_rules import check_deadline
from .errors import Forbidden, field_error
from .indexing import enqueue_demand
from .lead_shape import Lead, demand_terms, shown_to
from .notifications import notify_organization
from .uniqueness import check_external_id

S = DemandStatus


def read_demand(session: Session, actor: User | None, demand_id: int) -> Demand | Lead:
    """The demand in the shape this reader may read (see ``leads``); NotFound if invisible."""
    return shown_to(actor, DEMAND_POLICY.visible(actor, session.get(Demand, demand_id)))


@cache
def _managed_statement() -> Select:
    """Built once per process (the id a parameter): every reading of matches asks, and
    ``session.get`` with options builds its query anew each time."""
    return (
        select(Demand).where(Demand.id == bindparam("id")).options(joinedload(Demand.organization))
    )


def managed_demand(session: Session, actor: User | None, demand_id: int) -> Demand:
    """A demand the actor manages: its own organisation's, or any for an administrator
    (NotFound if invisible, Forbidden if visible but someone else's). Its organisation, which
    most callers read (its record for the index and the matcher names it), comes with it."""
    demand = session.scalar(_managed_statement(), {"id": demand_id})
    return DEMAND_POLICY.require(actor, "manage", demand)


def own_demands(session: Session, actor: User) -> list[tuple[Demand, int, int]]:
    """The actor's organisation's demands, newest first, with (interests, pending interests)."""
    require_role(actor, Role.ENTERPRISE)
    rows = list(
        session.scalars(
            select(Demand)
            .where(Demand.organization_id == actor.organization_id)
            .order_by(Demand.updated_at.desc(), Demand.id.desc())
        )
    )
    counts: dict[int, tuple[int, int]] = {}
    if rows:
        statement = (
            select(
                Interest.demand_id,
                func.count(Interest.id),
                func.count(Interest.id).filter(Interest.status == InterestStatus.PENDING),
            )
            .where(Interest.demand_id.in_([d.id for d in rows]))
            .group_by(Interest.demand_id)
        )
        counts = {
            demand_id: (total, pending) for demand_id, total, pending in session.execute(statement)
        }
    return [(d, *counts.get(d.id, (0, 0))) for d in rows]


def demand_input(demand: Demand) -> dict[str, Any]:
    """The demand as a ``DemandIn`` body: what an edit starts from."""
    return {
        **demand_terms(demand),
        "organization_id": demand.organization_id,
        "external_id": demand.external_id,
    }


def _organization_for(session: Session, actor: User, data: DemandIn) -> Organization:
    """Enterprises post for themselves; an admin names an enterprise by id or by name."""
    if not actor.is_admin:
        if data.organization_id is not None and data.organization_id != actor.organization_id:
            raise Forbidden(_("只能为本单位发布需求"))
        return actor.organization
    if data.organization_id is not None:
        org = session.get(Organization, data.organization_id)
        if org is None or org.type != OrgType.ENTERPRISE:
            raise field_error("organization_id", _("单位不存在"))
        return org
    if data.organization is not None:
        return get_or_create_organization(
            session, OrgType.ENTERPRISE, data.organization.name, data.organization.region
        )
    raise field_error("organization_id", _("必填（或提供 organization）"))


def create_demand(session: Session, actor: User, body: Any, status: str | None = None) -> Demand:
    """``status`` (or the body's) is honoured for admins; others get draft or in review."""
    demand, requested = build_demand(session, actor, body)
    session.flush()
    record_created(session, actor, demand, status or requested)
    return demand


def build_demand(
    session: Session,
    actor: User,
    body: Any,
    organization: Organization | None = None,
    external_id_checked: bool = False,
) -> tuple[Demand, str | None]:
    """Check and build a new demand (a draft) without flushing, so that many can be flushed
    at once; ``record_created`` follows the flush. An admin may pass the organisation.
    Returns the demand and the status its body asks for."""
    require_role(actor, Role.ADMIN, Role.ENTERPRISE)
    data = validate(DemandIn, body)
    check_deadline(data.deadline)
    check_external_id(session, actor, Demand, data.external_id, None, checked=external_id_checked)
    if organization is None or not actor.is_admin:
        organization = _organization_for(session, actor, data)
    demand = Demand(
        organization=organization,
        created_by_id=actor.id,
        status=S.DRAFT,
        **data.model_dump(exclude={"organization_id", "organization", "status"}),
    )
    session.add(demand)
    return demand, data.status


def record_created(
    session: Session, actor: User, demand: Demand, status: str | None = None
) -> None:
    """Audit a flushed new demand and move it to the status asked for: honoured for admins;
    others get draft or in review."""
    wanted = status or S.IN_REVIEW
    if not actor.is_admin and wanted != S.DRAFT:
        wanted = S.IN_REVIEW
        require_confirmed(actor)
    audit.log_event(
        session,
        actor,
        "demand.created",
        "demand",
        demand.id,
        cluster=demand.cluster,
        region=demand.region,
    )
    if wanted == S.IN_REVIEW:
        lifecycle.first_move(session, actor, demand, lifecycle.SUBMIT)
    elif wanted == S.PUBLISHED:
        lifecycle.first_move(session, actor, demand, lifecycle.PUBLISH_DRAFT)


def update_demand(
    session: Session,
    actor: User,
    demand_id: int,
    patch: Any,
    external_id_checked: bool = False,
    expected_version: int | None = None,
) -> Demand:
    """A partial update. ``expected_version``: the version the caller edited; if the demand
    changed since, the update is refused (StaleRecord, 409) rather than undo that change."""
    demand = managed_demand(session, actor, demand_id)
    versions.check(demand, expected_version, _("该需求"))
    if demand.status not in S.EDITABLE:
        raise InvalidTransition(_("当前状态（%(status)s）不允许修改", status=demand.status))
    if not isinstance(patch, dict):
        patch = {}
    requested_status = patch.get("status")
    merged = {**demand_input(demand), **{k: v for k, v in patch.items() if k != "status"}}
    data = validate(DemandIn, merged)
    check_deadline(data.deadline, previous=demand.deadline)
    check_external_id(
        session,
        actor,
        Demand,
        data.external_id,
        demand.id,
        demand.external_id,
        checked=external_id_checked,
    )
    if actor.is_admin and data.organization_id != demand.organization_id:
        demand.organization = _organization_for(session, actor, data)
    with versions.guarded(_("该需求")):
        for key, value in data.model_dump(
            exclude={"organization_id", "organization", "status"}
        ).items():
            setattr(demand, key, value)
        audit.log_event(session, actor, "demand.updated", "demand", demand.id, fields=sorted(patch))
        enqueue_demand(session, demand)  # flushes: the UPDATE checks the version it read
        if actor.is_admin and requested_status == S.PUBLISHED and demand.status == S.IN_REVIEW:
            approve(session, actor, demand.id)
        elif not actor.is_admin and demand.status == S.PUBLISHED:
            # The text that was approved changed: it has to be reviewed again.
            lifecycle.move(session, actor, demand, lifecycle.RESUBMIT)
    return demand


def submit(session: Session, actor: User, demand_id: int) -> Demand:
    demand = managed_demand(session, actor, demand_id)
    require_confirmed(actor)
    lifecycle.move(session, actor, demand, lifecycle.SUBMIT)
    return demand


def approve(session: Session, actor: User, demand_id: int) -> Demand:
    demand = DEMAND_POLICY.require(actor, "review", session.get(Demand, demand_id))
    lifecycle.move(session, actor, demand, lifecycle.APPROVE)
    demand.review_note = None
    notify_organization(
        session,
        demand.organization,
        "demand_approved",
        f"/demands/{demand.id}",
        demand_id=demand.id,
        title=demand.title,
    )
    return demand


def reject(session: Session, actor: User, demand_id: int, reason: str) -> Demand:
    demand = DEMAND_POLICY.require(actor, "review", session.get(Demand, demand_id))
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写驳回原因"))
    if len(reason) > 2000:
        raise field_error("reason", _("最多 %(n)s 个字符", n=2000))
    lifecycle.move(session, actor, demand, lifecycle.REJECT, reason=reason)
    demand.review_note = reason
    notify_organization(
        session,
        demand.organization,
        "demand_rejected",
        f"/demands/{demand.id}",
        demand_id=demand.id,
        title=demand.title,
        reason=reason,
    )
    return demand


CLOSING = {
    CloseReason.WON: lifecycle.CLOSE_WON,
    CloseReason.WITHDRAWN: lifecycle.CLOSE_WITHDRAWN,
    CloseReason.EXPIRED: lifecycle.CLOSE_EXPIRED,
}


def _close(session: Session, actor: User | None, demand: Demand, reason: str) -> None:
    """Close the demand; the interests still pending are declined (won) or withdrawn."""
    lifecycle.move(session, actor, demand, CLOSING[reason], reason=reason)
    demand.close_reason = reason
    ended = InterestStatus.DECLINED if reason == CloseReason.WON else InterestStatus.WITHDRAWN
    # One conditional UPDATE: an interest accepted at this moment is not swept along.
    ended_ids = session.scalars(
        update(Interest)
        .where(Interest.demand_id == demand.id, Interest.status == InterestStatus.PENDING)
        .values(status=ended, decided_at=utcnow())
        .returning(Interest.id)
        .execution_options(synchronize_session=False)
    ).all()
    for interest in session.scalars(select(Interest).where(Interest.id.in_(ended_ids))):
        session.refresh(interest)
        notify_organization(
            session,
            interest.provider.organization,
            "demand_closed",
            f"/demands/{demand.id}",
            demand_id=demand.id,
            title=demand.title,
        )


def pending_interests(demand: Demand) -> list[Interest]:
    """Interests still waiting for an answer: closing the demand answers them all."""
    return [i for i in demand.interests if i.status == InterestStatus.PENDING]


def withdraw(session: Session, actor: User, demand_id: int) -> Demand:
    demand = managed_demand(session, actor, demand_id)
    _close(session, actor, demand, CloseReason.WITHDRAWN)
    return demand


def mark_won(session: Session, actor: User, demand_id: int) -> Demand:
    """The enterprise signed with a provider it accepted."""
    demand = managed_demand(session, actor, demand_id)
    _close(session, actor, demand, CloseReason.WON)
    return demand


def expire_overdue(session: Session, today: dt.date | None = None) -> int:
    """Close demands whose deadline has passed; returns how many."""
    today = today or dt.date.today()
    overdue = list(
        session.scalars(
            select(Demand).where(
                Demand.status.in_(S.EXPIRABLE),
                Demand.deadline.is_not(None),
                Demand.deadline < today,
            )
        )
    )
    for demand in overdue:
        _close(session, None, demand, CloseReason.EXPIRED)
        notify_organization(
            session,
            demand.organization,
            "demand_expired",
            f"/demands/{demand.id}",
            demand_id=demand.id,
            title=demand.title,
        )
    return len(overdue)


def delete_demand(session: Session, actor: User, demand_id: int) -> None:
    """Admins delete any demand; owners only their drafts (others are withdrawn instead)."""
    demand = managed_demand(session, actor, demand_id)
    if not actor.is_admin and demand.status != S.DRAFT:
        raise InvalidTransition(_("只能删除草稿；已提交的需求请撤回"))
    enqueue_demand(session, demand)
    audit.log_event(session, actor, "demand.deleted", "demand", demand.id)
    session.delete(demand)
    session.flush()
