"""Read-only lists for the administrators' pages: the review queue, organisations, the overview.

Writes (approve, reject, verify) live in ``demands`` and ``accounts``; these functions only read,
and only for administrators.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    ConversationReport,
    Demand,
    DemandStatus,
    Organization,
    OrgType,
    Review,
    Role,
    User,
    VerificationRequest,
)
from .access import require_role
from .errors import NotFound

ORG_FILTERS = ("all", "pending", "enterprise", "provider", "unverified")


def _waiting():
    """Organisations an administrator has to act on: a registration claiming an existing
    organisation, or accounts still waiting for their e-mail confirmation."""
    unconfirmed = select(User.organization_id).where(
        User.email_confirmed_at.is_(None), User.active.is_(True)
    )
    return or_(
        and_(Organization.claim_of_id.is_not(None), Organization.claim_rejected_at.is_(None)),
        Organization.id.in_(unconfirmed),
    )


def review_queue(session: Session, actor: User | None) -> list[Demand]:
    """Demands waiting for review, oldest first (first come, first served)."""
    require_role(actor, Role.ADMIN)
    return list(
        session.scalars(
            select(Demand)
            .where(Demand.status == DemandStatus.IN_REVIEW)
            .options(selectinload(Demand.organization), selectinload(Demand.attachments))
            .order_by(Demand.updated_at, Demand.id)
        )
    )


def organizations(
    session: Session,
    actor: User | None,
    kind: str = "all",
    page: int = 1,
    per_page: int = 50,
    text: str = "",
) -> tuple[list[Organization], int]:
    """One page of organisations (unverified first, then newest) and the total for ``kind``.

    ``kind`` is one of ``ORG_FILTERS``; anything else lists all organisations. ``text`` keeps
    those whose name, credit code, contact, phone or e-mail contains it.
    """
    require_role(actor, Role.ADMIN)
    page = max(page, 1)
    statement = select(Organization)
    if kind in (OrgType.ENTERPRISE, OrgType.PROVIDER):
        statement = statement.where(Organization.type == kind)
    elif kind == "unverified":
        statement = statement.where(Organization.verified.is_(False))
    elif kind == "pending":
        statement = statement.where(_waiting())
    text = text.strip()
    if text:
        columns = (
            Organization.name,
            Organization.credit_code,
            Organization.contact_name,
            Organization.phone,
            Organization.email,
        )
        statement = statement.where(or_(*(c.icontains(text, autoescape=True) for c in columns)))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.options(selectinload(Organization.users), selectinload(Organization.claim_of))
        .order_by(Organization.verified, Organization.created_at.desc(), Organization.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def organization(session: Session, actor: User | None, organization_id: int) -> Organization:
    require_role(actor, Role.ADMIN)
    found = session.get(Organization, organization_id)
    if found is None:
        raise NotFound(_("单位不存在"))
    return found


def organization_demands(session: Session, actor: User | None, organization: Organization):
    """An enterprise's demands, newest first, for its page in the administration."""
    require_role(actor, Role.ADMIN)
    return list(
        session.scalars(
            select(Demand)
            .where(Demand.organization_id == organization.id)
            .order_by(Demand.created_at.desc(), Demand.id.desc())
        )
    )


def dashboard_counts(session: Session, actor: User | None) -> dict[str, int]:
    """Work waiting for the administrators and the demand pipeline at a glance."""
    require_role(actor, Role.ADMIN)

    def count(statement) -> int:
        return session.scalar(statement) or 0

    by_status = dict(
        session.execute(select(Demand.status, func.count(Demand.id)).group_by(Demand.status)).all()
    )
    return {
        "in_review": by_status.get(DemandStatus.IN_REVIEW, 0),
        "published": by_status.get(DemandStatus.PUBLISHED, 0),
        "in_negotiation": by_status.get(DemandStatus.IN_NEGOTIATION, 0),
        "closed": by_status.get(DemandStatus.CLOSED, 0),
        "unverified": count(
            select(func.count(Organization.id)).where(Organization.verified.is_(False))
        ),
        "pending": count(select(func.count(Organization.id)).where(_waiting())),
        "enterprises": count(
            select(func.count(Organization.id)).where(Organization.type == OrgType.ENTERPRISE)
        ),
        "providers": count(
            select(func.count(Organization.id)).where(Organization.type == OrgType.PROVIDER)
        ),
        "verification_requests": count(
            select(func.count(VerificationRequest.id)).where(
                VerificationRequest.status == "pending"
            )
        ),
        "reports": count(
            select(func.count(ConversationReport.id)).where(ConversationReport.closed_at.is_(None))
        )
        + count(select(func.count(Review.id)).where(Review.reported_at.is_not(None))),
        "users": count(select(func.count(User.id))),
    }
