"""Live counts for the home page and the admin dashboard (statistics come from the audit trail)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Demand, DemandStatus, Interest, InterestStatus, Organization, OrgType, Provider


def home_counts(session: Session) -> dict[str, int]:
    """Every count in one statement: the home page is the most visited page."""
    counts = {
        "providers": select(func.count(Provider.id)),
        "verified_providers": select(func.count(Provider.id))
        .join(Provider.organization)
        .where(Organization.verified.is_(True)),
        "enterprises": select(func.count(Organization.id)).where(
            Organization.type == OrgType.ENTERPRISE
        ),
        "open_demands": select(func.count(Demand.id)).where(
            Demand.status == DemandStatus.PUBLISHED
        ),
        "matched": select(func.count(Interest.id)).where(
            Interest.status == InterestStatus.ACCEPTED
        ),
    }
    row = session.execute(
        select(*(query.scalar_subquery().label(name) for name, query in counts.items()))
    ).one()
    return {name: value or 0 for name, value in row._mapping.items()}
