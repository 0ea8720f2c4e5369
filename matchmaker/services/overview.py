"""Live counts for the home page and the admin dashboard (statistics come from the audit trail)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Demand, DemandStatus, Interest, InterestStatus, Organization, OrgType, Provider


def home_counts(session: Session) -> dict[str, int]:
    def count(statement) -> int:
        return session.scalar(statement) or 0

    return {
        "providers": count(select(func.count(Provider.id))),
        "verified_providers": count(
            select(func.count(Provider.id))
            .join(Provider.organization)
            .where(Organization.verified.is_(True))
        ),
        "enterprises": count(
            select(func.count(Organization.id)).where(Organization.type == OrgType.ENTERPRISE)
        ),
        "open_demands": count(
            select(func.count(Demand.id)).where(Demand.status == DemandStatus.PUBLISHED)
        ),
        "matched": count(
            select(func.count(Interest.id)).where(Interest.status == InterestStatus.ACCEPTED)
        ),
    }
