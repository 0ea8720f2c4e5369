"""Demands (design needs): create, read, update, delete, search, matches."""

from __future__ import annotations

from flask import Response

from search import DEMANDS

from ..extensions import db
from ..schemas import DemandIn
from ..search_engine import get_search
from ..services import demands as service
from ..services import matching
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .faceted import page_out, search_query
from .routing import ID, current_api_user, route
from .versions import expected_version, tagged

DEMAND_FACETS = ("cluster", "service", "region")


@route(
    "/demands",
    "POST",
    summary="Post a demand",
    tag="demands",
    body=DemandIn,
    response=s.DemandOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    versioned=True,
    description="Enterprises post for their own organisation; an admin names one by "
    "`organization_id` or creates/reuses one by exact name with `organization`. `status: "
    "published` is honoured for admins; other users' demands start `in_review` (or `draft` if "
    "asked).",
)
def create_demand(body: dict) -> Response:
    demand = service.create_demand(db.session, current_api_user(), body)
    commit()
    return tagged(out.demand(demand), 201)


@route(
    f"/demands/<{ID}:demand_id>",
    "GET",
    summary="One demand",
    tag="demands",
    response=s.DemandOut,
    errors=(401, 404),
    versioned=True,
    description="Owners and admins see every state, with the posting organisation; providers see "
    "published ones without it (`organization_id`, `organization`, `external_id` null). "
    "Invisible → 404.",
)
def get_demand(demand_id: int) -> Response:
    return tagged(out.demand(service.read_demand(db.session, current_api_user(), demand_id)))


@route(
    f"/demands/<{ID}:demand_id>",
    "PATCH",
    summary="Partial update of a demand",
    tag="demands",
    body=DemandIn,
    body_schema="DemandPatch",
    response=s.DemandOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    versioned=True,
    description="Owner or admin. An owner's edit of a published demand sends it back to review; an "
    "admin may publish one in review with `status: published`. Editing a demand in "
    "negotiation or closed → 409. Made from an older `version` (body or `If-Match`) than the "
    "current one → 409, and nothing changes.",
)
def update_demand(demand_id: int, body: dict) -> Response:
    expected = expected_version(body)
    demand = service.update_demand(
        db.session, current_api_user(), demand_id, body, expected_version=expected
    )
    commit()
    return tagged(out.demand(demand))


@route(
    f"/demands/<{ID}:demand_id>",
    "DELETE",
    summary="Delete a demand",
    tag="demands",
    status=204,
    errors=(401, 403, 404, 409),
    description="Admins delete any demand; owners only their drafts (409 otherwise: withdraw "
    "instead).",
)
def delete_demand(demand_id: int) -> None:
    service.delete_demand(db.session, current_api_user(), demand_id)
    commit()


@route(
    "/demands",
    "GET",
    summary="Search published demands with facets",
    tag="demands",
    query=s.DemandSearchParams,
    response=s.DemandPage,
    errors=(401, 403, 422, 503),
    description="Providers and admins; only published demands are searchable. Enterprises → 403. "
    "Repeated parameters of one kind are OR-ed, different kinds AND-ed; `budget_min`/"
    "`budget_max` keep demands whose budget range overlaps the given one.",
)
def search_demands(params: s.DemandSearchParams) -> s.DemandPage:
    query = search_query(
        DEMANDS,
        params,
        DEMAND_FACETS,
        budget_min=params.budget_min,
        budget_max=params.budget_max,
        sort=params.sort,
    )
    results = matching.search_demands(db.session, get_search(), current_api_user(), query)
    return page_out(s.DemandPage, results, [out.demand(row) for row in results.rows], s.Facets)


@route(
    f"/demands/<{ID}:demand_id>/matches",
    "GET",
    summary="Providers recommended for a demand",
    tag="matching",
    query=s.LimitParams,
    response=s.MatchesOut,
    errors=(401, 403, 404, 409, 422, 503),
    description="The demand's owner or an admin, for a published demand (or one in negotiation; "
    "409 otherwise). Best first, scores non-increasing, reasons in the request's language.",
)
def matches(demand_id: int, params: s.LimitParams) -> s.MatchesOut:
    found = matching.recommended_providers(
        db.session, get_search(), current_api_user(), demand_id, k=params.limit
    )
    items = out.match_items(found)
    commit()  # the first showing of each provider is recorded (exposure statistics)
    return s.MatchesOut(demand_id=demand_id, items=items)
