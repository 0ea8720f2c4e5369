"""Providers (design firms, centres, institutes…): create, read, update, delete, search, leads."""

from __future__ import annotations

from flask import Response

from search import PROVIDERS

from ..extensions import db
from ..schemas import ProviderIn
from ..search_engine import get_search
from ..services import matching, ratings
from ..services import providers as service
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .faceted import page_out, search_query
from .routing import ID, current_api_user, route
from .versions import expected_version, tagged

PROVIDER_FACETS = ("cluster", "service", "region", "level", "kind")


@route(
    "/providers",
    "POST",
    summary="Create a provider profile",
    tag="providers",
    body=ProviderIn,
    response=s.ProviderOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    versioned=True,
    description="Admins create any provider (the organisation is found or created by exact name); "
    "a provider user creates its own organisation's profile. `verified` is honoured for "
    "admins only; `external_id` may be set by admins only (403 otherwise). A duplicate "
    "`external_id` → 409.",
)
def create_provider(body: dict) -> Response:
    user = current_api_user()
    provider = service.create_provider(db.session, user, body)
    commit()
    return tagged(out.provider(provider, user), 201)


@route(
    f"/providers/<{ID}:provider_id>",
    "GET",
    summary="One provider",
    tag="providers",
    response=s.ProviderOut,
    errors=(401, 404),
    versioned=True,
    description="Public profiles only: a provider none of whose members has confirmed an e-mail "
    "address yet (docs/security.md, P58) is 404 for everyone but its own users and admins.",
)
def get_provider(provider_id: int) -> Response:
    user = current_api_user()
    provider = service.get_provider(db.session, user, provider_id)
    rating = ratings.ratings(db.session, [provider.id]).get(provider.id)
    return tagged(out.provider(provider, user, rating))


@route(
    f"/providers/<{ID}:provider_id>",
    "PATCH",
    summary="Partial update of a provider",
    tag="providers",
    body=ProviderIn,
    body_schema="ProviderPatch",
    response=s.ProviderOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    versioned=True,
    description="Any subset of the creation fields; the merged profile must be valid. `cases`, "
    "when given, replaces the list. Only the provider's own users and admins (403 otherwise). "
    "Made from an older `version` (body or `If-Match`) than the current one → 409.",
)
def update_provider(provider_id: int, body: dict) -> Response:
    user = current_api_user()
    expected = expected_version(body)
    provider = service.update_provider(
        db.session, user, provider_id, body, expected_version=expected
    )
    commit()
    return tagged(out.provider(provider, user))


@route(
    f"/providers/<{ID}:provider_id>",
    "DELETE",
    summary="Delete a provider (admin)",
    tag="providers",
    status=204,
    errors=(401, 403, 404),
)
def delete_provider(provider_id: int) -> None:
    service.delete_provider(db.session, current_api_user(), provider_id)
    commit()


@route(
    "/providers",
    "GET",
    summary="Search providers with facets",
    tag="providers",
    query=s.ProviderSearchParams,
    response=s.ProviderPage,
    errors=(401, 422, 503),
    description="Any signed-in role. Repeated parameters of one kind are OR-ed, different kinds "
    "AND-ed. Facets are disjunctive: a field's counts apply every filter except its own.",
)
def search_providers(params: s.ProviderSearchParams) -> s.ProviderPage:
    user = current_api_user()
    filters = {}
    if params.verified is not None:
        filters["verified"] = ["true" if params.verified else "false"]
    query = search_query(PROVIDERS, params, PROVIDER_FACETS, filters, sort=params.sort)
    results = matching.list_providers(db.session, get_search(), query)
    rated = ratings.ratings(db.session, [row.id for row in results.rows])
    items = [out.provider(row, user, rated.get(row.id)) for row in results.rows]
    return page_out(s.ProviderPage, results, items, s.ProviderFacets)


@route(
    f"/providers/<{ID}:provider_id>/leads",
    "GET",
    summary="Open demands recommended for a provider",
    tag="matching",
    query=s.LimitParams,
    response=s.LeadsOut,
    errors=(401, 403, 404, 422, 503),
    description="The provider's own users and admins. Demands the provider already answered are "
    "left out.",
)
def leads(provider_id: int, params: s.LimitParams) -> s.LeadsOut:
    matches = matching.leads_for(
        db.session, get_search(), current_api_user(), provider_id, k=params.limit
    )
    return s.LeadsOut(
        provider_id=provider_id,
        items=[
            s.LeadItem(
                demand=out.demand_brief(m.record),
                score=out.score(m.hit.score),
                reasons=out.reasons(m.hit.reasons),
            )
            for m in matches
        ],
    )
