"""The public directory: what anonymous visitors may browse before they register.

Verified providers are public, as their profiles already are. Published demands are shown only
as teasers — cluster, services, budget band, district and deadline — never the enterprise, the
title or the description (text an enterprise writes may name it), so that a visitor sees there
is work and registers to read it. The sitemap lists these public pages for search engines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Demand, DemandStatus, Guide, GuideStatus, Organization, Provider
from .leads import BUDGET_BANDS, NO_BUDGET
from .vouching import organization_vouched_sql


@dataclass(frozen=True)
class Teaser:
    """A published demand as anyone may see it: nothing that names the enterprise."""

    cluster: str
    services: list[str]
    band: str
    region: str
    deadline: dt.date | None
    published_at: dt.datetime | None


def band_of(budget_min: int | None, budget_max: int | None) -> str:
    """The leads page's band: filed under the top of the budget (its only bound otherwise)."""
    top = budget_max if budget_max is not None else budget_min
    if top is None:
        return NO_BUDGET
    for band, (low, high) in BUDGET_BANDS.items():
        if (low is None or top > low) and (high is None or top <= high):
            return band
    return NO_BUDGET


def teasers(
    session: Session, cluster: str | None, region: str | None, page: int, per_page: int
) -> tuple[list[Teaser], int]:
    """A page of published demands as teasers, newest first, and their total."""
    query = select(Demand).where(Demand.status == DemandStatus.PUBLISHED)
    if cluster:
        query = query.where(Demand.cluster == cluster)
    if region:
        query = query.where(Demand.region == region)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Demand.published_at.desc(), Demand.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [
        Teaser(
            cluster=d.cluster,
            services=list(d.services or []),
            band=band_of(d.budget_min, d.budget_max),
            region=d.region,
            deadline=d.deadline,
            published_at=d.published_at,
        )
        for d in rows
    ], total


def sitemap_providers(session: Session) -> list[tuple[int, dt.datetime]]:
    """(provider id, last change) of every verified provider whose profile is public."""
    return list(
        session.execute(
            select(Provider.id, Provider.updated_at)
            .join(Organization, Provider.organization_id == Organization.id)
            .where(Organization.verified.is_(True), organization_vouched_sql())
            .order_by(Provider.id)
        )
    )


def sitemap_guides(session: Session) -> list[tuple[int, dt.datetime | None]]:
    """(guide id, publication) of every published edition."""
    return list(
        session.execute(
            select(Guide.id, Guide.published_at)
            .where(Guide.status == GuideStatus.PUBLISHED)
            .order_by(Guide.id)
        )
    )
