"""Read-only lists for the admin pages (writes go through the services)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ...models import Demand, DemandStatus, Organization, OrgType

ORG_FILTERS = ("all", "enterprise", "provider", "unverified")


def review_queue(session: Session) -> list[Demand]:
    """Demands waiting for review, oldest first (first come, first served)."""
    return list(session.scalars(select(Demand).where(Demand.status == DemandStatus.IN_REVIEW)
                                .options(selectinload(Demand.organization), selectinload(Demand.attachments))
                                .order_by(Demand.updated_at, Demand.id)))


def organizations(session: Session, kind: str = "all", page: int = 1, per_page: int = 50
                  ) -> tuple[list[Organization], int]:
    statement = select(Organization)
    if kind in (OrgType.ENTERPRISE, OrgType.PROVIDER):
        statement = statement.where(Organization.type == kind)
    elif kind == "unverified":
        statement = statement.where(Organization.verified.is_(False))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.options(selectinload(Organization.users))
                           .order_by(Organization.verified, Organization.created_at.desc(), Organization.id.desc())
                           .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def dashboard_counts(session: Session) -> dict[str, int]:
    def count(statement) -> int:
        return session.scalar(statement) or 0
    by_status = dict(session.execute(select(Demand.status, func.count(Demand.id)).group_by(Demand.status)).all())
    return {
        "in_review": by_status.get(DemandStatus.IN_REVIEW, 0),
        "published": by_status.get(DemandStatus.PUBLISHED, 0),
        "in_negotiation": by_status.get(DemandStatus.IN_NEGOTIATION, 0),
        "closed": by_status.get(DemandStatus.CLOSED, 0),
        "unverified": count(select(func.count(Organization.id)).where(Organization.verified.is_(False))),
        "enterprises": count(select(func.count(Organization.id)).where(Organization.type == OrgType.ENTERPRISE)),
        "providers": count(select(func.count(Organization.id)).where(Organization.type == OrgType.PROVIDER)),
    }
