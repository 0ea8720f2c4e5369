"""The interest workflow: a provider answers a lead, the enterprise accepts or declines.

Contact details of both sides are revealed only once an interest is accepted. A decision
(accept, decline, withdraw) is one conditional UPDATE of a pending interest: when two people
decide at the same moment one wins, and the other gets a 409 and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import (
    Demand,
    DemandStatus,
    Interest,
    InterestStatus,
    Invitation,
    Organization,
    Role,
    User,
    utcnow,
)
from ..schemas import InterestIn, validate
from . import audit, conversations, proposals
from . import demand_lifecycle as lifecycle
from .access import (
    DEMAND_POLICY,
    INTEREST_POLICY,
    is_confirmed,
    own_provider,
    require_confirmed,
)
from .demands import managed_demand
from .errors import Conflict, Forbidden
from .lead_shape import Lead, shown_to
from .notifications import notify_organization
from .providers import get_provider
from .vouching import organization_vouched


def express(session: Session, actor: User, demand_id: int, body: Any) -> Interest:
    demand = DEMAND_POLICY.require(actor, "answer", session.get(Demand, demand_id))
    provider = own_provider(actor)
    require_confirmed(actor)
    if not organization_vouched(provider.organization):
        # a confirmed registrant whose claim on another organisation waits: its profile is
        # not public (P58), so the enterprise could not read whom it hears from
        raise Forbidden(_("贵单位的申领尚待管理员核实：并入已登记单位后才能表达意向。"))
    if demand.status not in DemandStatus.OPEN:
        raise Conflict(_("该需求当前不接受意向"))
    data = validate(InterestIn, body)
    if session.scalar(
        select(Interest.id).where(
            Interest.demand_id == demand.id, Interest.provider_id == provider.id
        )
    ):
        raise Conflict(_("已对该需求表达过意向"))
    invited = is_invited(session, actor, demand)
    interest = Interest(demand=demand, provider=provider, invited=invited, **data.model_dump())
    interest.message = proposals.masked_text(interest, interest.message)
    session.add(interest)
    session.flush()
    proposals.record(session, actor, interest)
    audit.log_event(
        session,
        actor,
        "interest.created",
        "interest",
        interest.id,
        demand_id=demand.id,
        provider_id=provider.id,
        invited=invited,
    )
    notify_organization(
        session,
        demand.organization,
        "interest_received",
        f"/demands/{demand.id}",
        demand_id=demand.id,
        title=demand.title,
        provider=provider.name,
    )
    if invited:  # the answer to an invitation opens its conversation
        conversations.post(session, actor, interest.id, {"body": data.message}, notify_other=False)
    return interest


def is_invited(session: Session, actor: User | None, demand: Demand) -> bool:
    """Whether the acting provider was invited to this demand. Its answer to the invitation
    is an interest whose price and timeline may come later (a revised proposal), and its
    text is the first message of the conversation the two sides go on in; an invitation
    alone opens none."""
    provider = actor.organization.provider if actor and actor.organization else None
    if provider is None:
        return False
    return (
        session.scalar(
            select(Invitation.id).where(
                Invitation.demand_id == demand.id, Invitation.provider_id == provider.id
            )
        )
        is not None
    )


def for_decision(session: Session, actor: User, interest_id: int) -> Interest:
    """An interest the actor may answer now: one in its own open demand, still pending."""
    interest = INTEREST_POLICY.require(actor, "decide", session.get(Interest, interest_id))
    require_confirmed(actor)
    if interest.status != InterestStatus.PENDING:
        raise Conflict(_("该意向已处理"))
    if interest.demand.status not in DemandStatus.OPEN:
        raise Conflict(_("该需求当前不接受意向"))
    return interest


def _claim(session: Session, interest: Interest, new_status: str) -> None:
    """Move a pending interest to ``new_status``, or 409 if it was decided meanwhile."""
    session.flush()
    claimed = session.execute(
        update(Interest)
        .where(Interest.id == interest.id, Interest.status == InterestStatus.PENDING)
        .values(status=new_status, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(interest)
    if not claimed:
        raise Conflict(_("该意向已处理"))


def _decide(session: Session, actor: User, interest_id: int, new_status: str) -> Interest:
    interest = for_decision(session, actor, interest_id)
    demand = interest.demand
    _claim(session, interest, new_status)
    audit.log_event(
        session,
        actor,
        f"interest.{new_status}",
        "interest",
        interest.id,
        demand_id=demand.id,
        provider_id=interest.provider_id,
    )
    notify_organization(
        session,
        interest.provider.organization,
        f"interest_{new_status}",
        f"/demands/{demand.id}",
        demand_id=demand.id,
        title=demand.title,
    )
    return interest


def accept(session: Session, actor: User, interest_id: int) -> Interest:
    """The first accepted interest puts a published demand into negotiation."""
    interest = _decide(session, actor, interest_id, InterestStatus.ACCEPTED)
    lifecycle.move_if_still(session, actor, interest.demand, lifecycle.NEGOTIATE)
    return interest


def decline(session: Session, actor: User, interest_id: int) -> Interest:
    return _decide(session, actor, interest_id, InterestStatus.DECLINED)


def withdraw(session: Session, actor: User, interest_id: int) -> Interest:
    interest = INTEREST_POLICY.require(actor, "withdraw", session.get(Interest, interest_id))
    _claim(session, interest, InterestStatus.WITHDRAWN)
    audit.log_event(
        session,
        actor,
        "interest.withdrawn",
        "interest",
        interest.id,
        demand_id=interest.demand_id,
        provider_id=interest.provider_id,
    )
    return interest


def invite(session: Session, actor: User, demand_id: int, provider_id: int) -> Invitation:
    """The enterprise asks a (recommended) provider to look at its published demand."""
    demand = managed_demand(session, actor, demand_id)
    require_confirmed(actor)
    if demand.status not in DemandStatus.OPEN:
        raise Conflict(_("只有已发布的需求可以邀请服务方"))
    provider = get_provider(session, actor, provider_id)
    if session.scalar(
        select(Invitation.id).where(
            Invitation.demand_id == demand.id, Invitation.provider_id == provider.id
        )
    ):
        raise Conflict(_("已邀请过该服务方"))
    invitation = Invitation(demand=demand, provider=provider, invited_by_id=actor.id)
    session.add(invitation)
    session.flush()
    audit.log_event(
        session, actor, "invitation.created", "demand", demand.id, provider_id=provider.id
    )
    notify_organization(
        session,
        provider.organization,
        "invited",
        f"/demands/{demand.id}",
        demand_id=demand.id,
        title=demand.title,
    )
    return invitation


def for_demand(session: Session, actor: User, demand_id: int) -> list[Interest]:
    demand = managed_demand(session, actor, demand_id)
    return list(
        session.scalars(
            select(Interest).where(Interest.demand_id == demand.id).order_by(Interest.created_at)
        )
    )


def invitations_for_demand(session: Session, demand: Demand) -> list[Invitation]:
    return list(session.scalars(select(Invitation).where(Invitation.demand_id == demand.id)))


@dataclass(frozen=True)
class OwnInterest:
    """A provider's interest, with its demand as providers may read it now: None while the
    demand is hidden from them (sent back to review after an edit, say)."""

    interest: Interest
    demand: Lead | None


@dataclass(frozen=True)
class OwnInvitation:
    invitation: Invitation
    demand: Lead


def _readable(actor: User, demand: Demand) -> Lead | None:
    return shown_to(actor, demand) if DEMAND_POLICY.can(actor, "see", demand) else None


def for_provider(session: Session, actor: User) -> list[OwnInterest]:
    provider = own_provider(actor)
    rows = session.scalars(
        select(Interest)
        .where(Interest.provider_id == provider.id)
        .order_by(Interest.created_at.desc())
    )
    return [OwnInterest(row, _readable(actor, row.demand)) for row in rows]


def invitations_for_provider(session: Session, actor: User) -> list[OwnInvitation]:
    """Invitations to demands the provider may read now (others wait until they are again)."""
    provider = own_provider(actor)
    rows = session.scalars(
        select(Invitation)
        .where(Invitation.provider_id == provider.id)
        .order_by(Invitation.created_at.desc())
    )
    shown = ((row, _readable(actor, row.demand)) for row in rows)
    return [OwnInvitation(row, lead) for row, lead in shown if lead is not None]


def own_interest(session: Session, actor: User, demand: Demand) -> Interest | None:
    """The acting provider's interest in a demand, if any."""
    if actor is None or actor.organization is None or actor.organization.provider is None:
        return None
    return session.scalar(
        select(Interest).where(
            Interest.demand_id == demand.id, Interest.provider_id == actor.organization.provider.id
        )
    )


def _contact_of(organization: Organization) -> dict[str, str | None]:
    return {
        "name": organization.contact_name or organization.name,
        "organization": organization.name,
        "email": organization.email,
        "phone": organization.phone,
    }


def contact(interest: Interest, reader: User | None) -> dict | None:
    """Both sides' contact details, only for an accepted interest and a reader whose own
    address is confirmed."""
    if interest.status != InterestStatus.ACCEPTED or not is_confirmed(reader):
        return None
    return {
        "enterprise": _contact_of(interest.demand.organization),
        "provider": _contact_of(interest.provider.organization),
    }


def listing(
    session: Session, actor: User, status: str | None, page: int, per_page: int
) -> tuple[list[Interest], int]:
    """A page of the interests the actor deals with, newest first, and their total: a
    provider's own, those on an enterprise's demands, every one for administrators. A
    provider's list leaves out demands that are no longer public (back in review)."""
    query = select(Interest).join(Demand, Interest.demand_id == Demand.id)
    if actor.role == Role.PROVIDER:
        query = query.where(
            Interest.provider_id == own_provider(actor).id,
            Demand.status.in_(DemandStatus.PUBLIC),
        )
    elif not actor.is_admin:
        query = query.where(Demand.organization_id == actor.organization_id)
    if status:
        query = query.where(Interest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Interest.created_at.desc(), Interest.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def invitable_demands(session: Session, actor: User | None, provider_id: int) -> list[Demand]:
    """An enterprise user's open demands it has not yet invited this provider to (for the
    provider's profile page); nothing for anyone else."""
    if actor is None or actor.role != Role.ENTERPRISE or actor.organization_id is None:
        return []
    invited = select(Invitation.demand_id).where(Invitation.provider_id == provider_id)
    answered = select(Interest.demand_id).where(Interest.provider_id == provider_id)
    return list(
        session.scalars(
            select(Demand)
            .where(
                Demand.organization_id == actor.organization_id,
                Demand.status.in_(DemandStatus.OPEN),
                Demand.id.not_in(invited),
                Demand.id.not_in(answered),
            )
            .order_by(Demand.created_at.desc())
        )
    )
