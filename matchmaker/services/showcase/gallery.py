"""The public showcase: announced winners, searchable by cluster, service and district; the
winners on a provider's profile; the winners a guide edition cites."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Provider, ShowcaseEntry, ShowcaseStatus, ShowcaseYear
from ..vouching import provider_vouched_sql


def _winners():
    return (
        select(ShowcaseEntry)
        .join(ShowcaseYear)
        .options(
            selectinload(ShowcaseEntry.year),
            selectinload(ShowcaseEntry.images),
            selectinload(ShowcaseEntry.provider).selectinload(Provider.organization),
        )
        .where(
            ShowcaseEntry.status == ShowcaseStatus.WINNER,
            ShowcaseYear.announced_at.is_not(None),
            ShowcaseEntry.provider.has(provider_vouched_sql()),  # public profiles only
        )
    )


def search(
    session: Session,
    cluster: str | None = None,
    service: str | None = None,
    region: str | None = None,
    year: int | None = None,
) -> list[ShowcaseEntry]:
    """Winners of announced years, newest year first."""
    query = _winners()
    if cluster:
        query = query.where(ShowcaseEntry.cluster == cluster)
    if region:
        query = query.where(ShowcaseEntry.region == region)
    if year:
        query = query.where(ShowcaseYear.year == year)
    rows = session.scalars(query.order_by(ShowcaseYear.year.desc(), ShowcaseEntry.id))
    return [e for e in rows if not service or service in (e.services or [])]


def of_provider(session: Session, provider_id: int) -> list[ShowcaseEntry]:
    return list(
        session.scalars(
            _winners()
            .where(ShowcaseEntry.provider_id == provider_id)
            .order_by(ShowcaseYear.year.desc())
        )
    )


def guide_briefs(session: Session, clusters: set[str]) -> list[dict[str, Any]]:
    """What a guide edition freezes of the winners in its clusters."""
    return [
        {
            "id": e.id,
            "year": e.year.year,
            "title": e.title,
            "cluster": e.cluster,
            "services": list(e.services),
            "region": e.region,
            "provider_id": e.provider_id,
            "provider": e.provider.name,
        }
        for e in search(session)
        if e.cluster in clusters
    ]
