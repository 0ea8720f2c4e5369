"""What the leads page shows beside the hits: budget bands that partition the demands, and
which demands the provider was invited to or has already answered.

A demand states a budget range, so bands over ranges would overlap (a demand of 80,000–300,000
belongs to two of them). Each demand is filed instead under the top of its budget (its upper
bound, or its only bound): bands are (low, high] on that one number, and demands without any
budget have a band of their own, so the counts add up to the number of results.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from search import SearchBackend, SearchQuery

from ..models import Interest, Invitation, Role, User
from .matching import search_demands

# band → the top of the budget in (low, high], CNY
BUDGET_BANDS: dict[str, tuple[int | None, int | None]] = {
    "lt50k": (None, 50_000),
    "50k-200k": (50_000, 200_000),
    "200k-500k": (200_000, 500_000),
    "500k-1m": (500_000, 1_000_000),
    "gt1m": (1_000_000, None),
}
NO_BUDGET = "none"
BANDS = (*BUDGET_BANDS, NO_BUDGET)


def in_band(query: SearchQuery, band: str | None) -> SearchQuery:
    """The query kept to one band (any band when ``band`` is not one of ``BANDS``)."""
    return replace(
        query,
        budget_top=BUDGET_BANDS.get(band or ""),
        without_budget=band == NO_BUDGET,
    )


def band_counts(
    session: Session, backend: SearchBackend, actor: User, query: SearchQuery
) -> dict[str, int]:
    """Results per band with every other filter applied: they add up to the unbanded total."""
    counts = {}
    for band in BANDS:
        counted = replace(in_band(query, band), page=1, per_page=1, facets=())
        counts[band] = search_demands(session, backend, actor, counted).page.total
    return counts


@dataclass(frozen=True)
class Mark:
    """The provider's own standing with a demand in the list."""

    invited: bool = False
    interest: str | None = None  # status of its interest, if it answered


def marks(session: Session, actor: User, demand_ids: Collection[int]) -> dict[int, Mark]:
    """Marks for the listed demands that concern the acting provider (none for others)."""
    provider = actor.organization.provider if actor.organization is not None else None
    if actor.role != Role.PROVIDER or provider is None or not demand_ids:
        return {}
    ids = list(demand_ids)
    invited = set(
        session.scalars(
            select(Invitation.demand_id).where(
                Invitation.provider_id == provider.id, Invitation.demand_id.in_(ids)
            )
        )
    )
    answered = dict(
        session.execute(
            select(Interest.demand_id, Interest.status).where(
                Interest.provider_id == provider.id, Interest.demand_id.in_(ids)
            )
        ).all()
    )
    return {
        demand_id: Mark(demand_id in invited, answered.get(demand_id))
        for demand_id in ids
        if demand_id in invited or demand_id in answered
    }
