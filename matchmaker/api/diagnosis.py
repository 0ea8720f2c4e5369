"""Diagnostic visits: requests, suggestions and assignments, the visit, the expert's report,
and recommendations turned into draft demands."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ..extensions import db
from ..schemas import RecordId, Strict, validate
from ..search_engine import get_search
from ..services.diagnosis import arrangements, reports, requests
from ..services.diagnosis.inputs import DiagnosisRequestIn, ReportIn, VisitIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import ID, current_api_user, route

TAG = "diagnosis"


class AssignmentIn(Strict):
    """Exactly one of ``expert_id`` and ``provider_id``."""

    expert_id: RecordId | None = None
    provider_id: RecordId | None = None

    @model_validator(mode="after")
    def _one(self) -> AssignmentIn:
        if (self.expert_id is None) == (self.provider_id is None):
            error = PydanticCustomError("missing", "give exactly one of expert_id and provider_id")
            raise ValidationError.from_exception_data(
                type(self).__name__, [{"type": error, "loc": ("expert_id",), "input": None}]
            )
        return self


def _shown(request) -> s.DiagnosisOut:
    return out.diagnosis(request, current_api_user())


@route(
    "/diagnosis-requests",
    "POST",
    summary="Request a design diagnosis (or propose one, admins)",
    tag=TAG,
    body=DiagnosisRequestIn,
    response=s.DiagnosisOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="Enterprise users for their own organisation; admins propose a diagnosis to an "
    "enterprise with `organization_id` (after a survey). Administrators are notified.",
)
def create_request(body: dict) -> s.DiagnosisOut:
    request = requests.create_request(db.session, current_api_user(), body)
    commit()
    return _shown(request)


@route(
    "/diagnosis-requests",
    "GET",
    summary="Diagnosis requests one may see",
    tag=TAG,
    query=s.DiagnosisListParams,
    response=s.DiagnosisList,
    errors=(401, 403, 422),
    description="An enterprise its own; an expert or a provider those it is assigned to (and "
    "nothing else); admins all. Newest first.",
)
def list_requests(params: s.DiagnosisListParams) -> s.DiagnosisList:
    rows = requests.list_for(db.session, current_api_user(), params.status)
    return s.DiagnosisList(items=[_shown(r) for r in rows])


@route(
    f"/diagnosis-requests/<{ID}:request_id>",
    "GET",
    summary="One diagnosis request",
    tag=TAG,
    response=s.DiagnosisOut,
    errors=(401, 404),
    description="The enterprise, admins and whoever is assigned; 404 for everyone else.",
)
def get_request(request_id: int) -> s.DiagnosisOut:
    return _shown(requests.read_request(db.session, current_api_user(), request_id))


@route(
    f"/diagnosis-requests/<{ID}:request_id>/cancel",
    "POST",
    summary="Cancel a diagnosis before its report",
    tag=TAG,
    response=s.DiagnosisOut,
    errors=(401, 403, 404, 409),
)
def cancel_request(request_id: int) -> s.DiagnosisOut:
    request = requests.cancel(db.session, current_api_user(), request_id)
    commit()
    return _shown(request)


@route(
    f"/diagnosis-requests/<{ID}:request_id>/suggestions",
    "GET",
    summary="Experts and providers suggested for a request (admins)",
    tag=TAG,
    query=s.LimitParams,
    response=s.SuggestionsOut,
    errors=(401, 403, 404, 409, 422, 503),
    description="Experts from the talent matcher run on the expert pool, never one with a "
    "conflict of interest with the enterprise; providers from the design matcher.",
)
def suggestions(request_id: int, params: s.LimitParams) -> s.SuggestionsOut:
    actor, backend = current_api_user(), get_search()
    experts = arrangements.suggested_experts(db.session, backend, actor, request_id, params.limit)
    providers = arrangements.suggested_providers(
        db.session, backend, actor, request_id, params.limit
    )
    return s.SuggestionsOut(
        request_id=request_id,
        experts=out.expert_suggestions(experts),
        providers=out.scored(
            providers, s.ProviderSuggestion, "provider", out.provider_brief, out.reasons
        ),
    )


@route(
    f"/diagnosis-requests/<{ID}:request_id>/assignments",
    "POST",
    summary="Assign an expert or a provider (admins)",
    tag=TAG,
    body=AssignmentIn,
    response=s.DiagnosisOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="An expert with a conflict of interest with the enterprise is refused (409 "
    "with `fields.expert_id`). The expert or the provider's users are notified.",
)
def assign(request_id: int, body: dict[str, Any]) -> s.DiagnosisOut:
    data = validate(AssignmentIn, body)
    actor = current_api_user()
    if data.expert_id is not None:
        arrangements.assign_expert(db.session, actor, request_id, data.expert_id)
    else:
        arrangements.assign_provider(db.session, actor, request_id, data.provider_id)
    commit()
    return _shown(requests.read_request(db.session, actor, request_id))


@route(
    f"/diagnosis-requests/<{ID}:request_id>/visit",
    "POST",
    summary="Schedule (or move) the visit (admins)",
    tag=TAG,
    body=VisitIn,
    response=s.DiagnosisOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Needs at least one assigned expert. The enterprise, the experts and the "
    "providers are notified (by e-mail too when configured, with a calendar file).",
)
def schedule(request_id: int, body: dict) -> s.DiagnosisOut:
    request = arrangements.schedule(db.session, current_api_user(), request_id, body)
    commit()
    return _shown(request)


@route(
    f"/diagnosis-requests/<{ID}:request_id>/report",
    "PUT",
    summary="Write the report (the assigned expert)",
    tag=TAG,
    body=ReportIn,
    response=s.DiagnosisOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="After the visit is scheduled. `submit: false` keeps a draft only the expert "
    "sees; `submit: true` files it (final) and notifies the enterprise.",
)
def write_report(request_id: int, body: dict) -> s.DiagnosisOut:
    actor = current_api_user()
    reports.file_report(db.session, actor, request_id, body)
    commit()
    return _shown(requests.read_request(db.session, actor, request_id))


@route(
    f"/diagnosis-recommendations/<{ID}:recommendation_id>/demand",
    "POST",
    summary="Turn a recommendation into a draft demand (one click)",
    tag=TAG,
    response=s.DemandOut,
    status=201,
    errors=(401, 403, 404, 409),
    description="The enterprise (or an admin): a draft demand with the recommendation's title, "
    "service and budget, the request's cluster and the enterprise's district, to complete and "
    "submit for review. A second time → 409 with `fields.demand_id`.",
)
def draft_demand(recommendation_id: int) -> s.DemandOut:
    demand = reports.draft_demand(db.session, current_api_user(), recommendation_id)
    commit()
    return out.demand(demand)
