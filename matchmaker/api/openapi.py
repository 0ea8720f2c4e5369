"""GET /openapi.json: the OpenAPI 3.1 document, built from the route table and pydantic models."""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app
from pydantic import BaseModel

from ..schemas import MAX_ID
from . import schemas as s
from .routing import ENDPOINTS, Endpoint, route
from .versions import VersionIn

REF = "#/components/schemas/{model}"

DESCRIPTION = """\
JSON API of the Chongqing industrial-design matchmaking platform (工业设计供需对接平台):
manufacturers' design needs (demands) and design providers, search with facets,
recommendations and the interest workflow.

**Conventions and decisions**

- Authentication: `POST /api/v1/auth/token`, then `Authorization: Bearer <token>` on every
  call except `GET /api/v1/taxonomy` and this document. Missing, invalid or expired token → 401.
  Only *failed* token requests count, together with failed sign-ins on the web page: per
  account (10 per minute by default) and per client address (30 per minute). Once either is
  spent every attempt for that account or from that address gets 429 with `Retry-After`.
  `GET /api/v1/auth/tokens` lists the caller's live tokens, `DELETE` revokes one.
- Stale writes: demand and provider objects carry `version` (also sent as the `ETag`
  header). A `PATCH` may send the version it was made from, as `version` in the body or as
  `If-Match: "<version>"`; if the record changed meanwhile the answer is 409 `conflict` and
  nothing changes. Without either, the `PATCH` applies to the current record.
- Errors always look like `{"error": {"code", "message", "fields"?}}`. Besides the codes of
  the contract, one extension: when the search engine cannot be reached, endpoints that read
  from it (search, matches, leads) answer **503 with code `unavailable`** (and `Retry-After`).
  Writes never depend on the engine: they commit and their index changes wait in an outbox
  until the engine is back. Unknown API paths → 404 `not_found`; a wrong method → 405 with
  code `bad_request`.
- Request bodies must be a JSON object (else 400 `bad_request`), at most 1 MiB (else 413
  `too_large`). Unknown body fields and unknown query parameters are rejected with 422, so
  typos never pass silently. Empty query values (`cluster=`) count as absent.
- Taxonomy values (clusters, services, regions, provider kinds and levels) accept the code,
  its exact zh/en label or an alias, and are stored and returned as codes. Anything else is
  a 422 whose `fields` names the field and the offending value.
- Language: `Accept-Language` alone chooses it for API calls (zh by default, en supported):
  taxonomy labels in facets, reasons of matches and leads, and messages that have a translation.
- Permissions: admins act for any organisation. Other users change only their own
  organisation's records. Records the caller may not see are reported as 404 (e.g. a
  draft demand to a provider or to another enterprise, or an interest to anyone but its two
  sides), so their existence does not leak; a record the caller may see but not change is a
  403. The services decide both, so every endpoint answers alike.
- Enterprises are anonymous to providers: every demand a provider receives (one demand,
  search, leads) has `organization_id`, `organization` and `external_id` set to null. The
  posting enterprise and admins see them. Once the enterprise accepts an interest, both
  sides' contact details come with that interest (`contact`), never with the demand.
- `external_id` (a survey's number) is set by admins only: anyone else sending a new or
  changed value gets 403 with `fields.external_id`, before any check for duplicates, so a
  clash tells nobody else that an id is taken; sending one's own unchanged value is fine.
- An account whose e-mail address is not confirmed yet (a fresh registration) may read and
  keep drafts (`POST /demands` with `"status": "draft"`, `PATCH`), but creating a demand for
  review, expressing interest, accepting or declining one, and writing messages answer 403
  with `"reason": "email_unconfirmed"` in the error; `contact` of an accepted interest
  stays null for it. Opening the link mailed at registration lifts this.
- The verified badge vouches for an identity: when a provider's own user changes its `name`,
  `kind`, `level` or `certifications`, `verified` becomes false until an admin checks again.
- Lists come from the database: the search engine proposes candidates, and a demand that is
  no longer published (e.g. edited back into review while its index update waits during an
  outage) is left out of search, leads and matches, even before the index catches up.
- `GET /demands` (search) is for providers and admins and lists published demands only;
  enterprises get 403. `GET /providers` (search) is open to every role; a provider's
  `external_id` is shown to its own users and admins only (null for others).
- `DELETE` answers 204 without a body. `GET /demands/{id}/interests` answers
  `{"demand_id", "items": [...]}`. Leads answer `{"provider_id", "items": [...]}`.
  Search facets carry `cluster`, `service`, `region` (and `level`, `kind` for providers).
  Facets are disjunctive: a field's counts apply every filter except that field's own.
- The talent pool (additions): individual designers (role `designer`) keep one private profile
  (`/talent/profile`: read, change, export, delete). Everyone else — without a token too —
  gets anonymised cards only (`/talent`, `/talent/{id}`): specialities, clusters, professional
  title, a seniority band, district and availability; `q` there matches taxonomy labels only.
  Organisations contact a person about one of their open talent needs (`/talent-needs`);
  names and contact details come with the contact request once the person accepts. Talent
  matches carry reasons with codes `speciality`, `cluster`, `seniority`, `text`, `region`,
  `availability`.
- Experts (role `expert`) see their diagnosis requests (`/diagnosis-requests`) and nothing
  else: every other request is a 404, demand search and talent needs are 403. An expert with a
  conflict of interest with the enterprise is never suggested and cannot be assigned (409 with
  `fields.expert_id`). A filed report is final; each of its recommendations becomes the
  enterprise's draft demand once (`/diagnosis-recommendations/{id}/demand`).
- Design-centre accreditation (additions): providers apply in an open round
  (`/accreditation-rounds`, public) or record a municipal or national recognition they hold
  (`/accreditations`); administrators check completeness, seat experts of the pool (never one
  in conflict with the applicant: 409 with `fields.expert_id`), who score every criterion of the
  round's rubric 0–10, and decide. An application is seen by its organisation, its panel and
  admins (404 for everyone else); a reviewer reads only its own scores, the applicant the
  panel's result once decided, never who scored what. `GET /recognitions` (no token) is the
  register of valid recognitions by level and district.
- Ids in paths are positive 32-bit integers; anything else is a 404.
- Conversations: `GET`/`POST /interests/{id}/messages` answer the interest's two sides only
  (an admin reads while one side's report is open; anyone else 404). Before acceptance, phone
  numbers, e-mail addresses, WeChat ids and QQ numbers in a message are stored as `[***]`
  (`masked: true`) and the enterprise's author name is 需求方. `GET /providers/{id}/reviews`
  needs no token; providers carry `rating` and `review_count` from those public reviews.
- Datetimes are UTC in ISO 8601 with `Z`; dates are `YYYY-MM-DD`; money is integer CNY.
- Every successful write is committed and delivered to the search engine before the
  response is sent, so search, matches and leads see it immediately.
"""

ERROR_TEXT = {
    400: "Bad request (body not a JSON object, …)",
    401: "Missing, invalid or expired token",
    403: "Forbidden for this user",
    404: "Not found (or not visible to this user)",
    409: "Conflict with the current state (duplicate external_id, status, …)",
    413: "Request body too large",
    422: "Validation error; `fields` names each field",
    429: "Too many failed attempts",
    503: "Search engine unavailable (code `unavailable`)",
}


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": 'The version this change was made from, e.g. `"3"` (the `ETag` of a GET): '
    "409 `conflict` if the record changed since. The same as `version` in the body.",
    "schema": {"type": "string", "examples": ['"3"']},
}
ETAG = {
    "description": 'The record\'s version, e.g. `"3"`, for a later `If-Match`',
    "schema": {"type": "string"},
}


def _schema_ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


class _Components:
    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def add(self, model: type[BaseModel], mode: str) -> str:
        name = model.__name__
        if name not in self.schemas:
            schema = model.model_json_schema(ref_template=REF, mode=mode)
            for sub_name, sub in schema.pop("$defs", {}).items():
                self.schemas.setdefault(sub_name, sub)
            self.schemas[name] = schema
        return name

    def add_partial(self, model: type[BaseModel], name: str, versioned: bool) -> str:
        """A PATCH body: the creation model with every field optional (and ``version``)."""
        base = self.add(model, "validation")
        if name not in self.schemas:
            schema = copy.deepcopy(self.schemas[base])
            schema.pop("required", None)
            schema["title"] = name
            schema["description"] = (
                f"Partial update: any subset of the fields of {base}; the merged "
                f"record must satisfy {base}'s rules."
            )
            if versioned:
                schema["properties"]["version"] = VersionIn.model_json_schema()["properties"][
                    "version"
                ]
            self.schemas[name] = schema
        return name


def _query_parameters(components: _Components, model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    for sub_name, sub in schema.pop("$defs", {}).items():
        components.schemas.setdefault(sub_name, sub)
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _multipart(fields: dict[str, str]) -> dict[str, Any]:
    """A multipart body of file fields, each taking one or more files."""
    properties = {
        name: {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": description,
        }
        for name, description in fields.items()
    }
    return {"multipart/form-data": {"schema": {"type": "object", "properties": properties}}}


def _operation(components: _Components, endpoint: Endpoint) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
    }
    if endpoint.description:
        operation["description"] = endpoint.description
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in endpoint.path_params
    ]
    if endpoint.query is not None:
        parameters += _query_parameters(components, endpoint.query)
    if endpoint.versioned and endpoint.method == "PATCH":
        parameters.append(IF_MATCH)
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        name = (
            components.add_partial(endpoint.body, endpoint.body_schema, endpoint.versioned)
            if endpoint.body_schema
            else components.add(endpoint.body, "validation")
        )
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema_ref(name)}},
        }
    if endpoint.uploads is not None:
        operation["requestBody"] = {"required": True, "content": _multipart(endpoint.uploads)}
    responses: dict[str, Any] = {}
    if endpoint.status == 204:
        responses["204"] = {"description": "Done; no content"}
    else:
        content: dict[str, Any] = {"schema": {"type": "object"}}
        if endpoint.response is not None:
            content = {"schema": _schema_ref(components.add(endpoint.response, "serialization"))}
        responses[str(endpoint.status)] = {
            "description": "Success",
            "content": {"application/json": content},
        }
        if endpoint.versioned:
            responses[str(endpoint.status)]["headers"] = {"ETag": ETAG}
    error_ref = {
        "application/json": {"schema": _schema_ref(components.add(s.ErrorOut, "serialization"))}
    }
    for status in sorted(set(endpoint.errors) | ({401} if endpoint.auth else set())):
        responses[str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": error_ref,
        }
    operation["responses"] = responses
    operation["security"] = [{"bearerAuth": []}] if endpoint.auth else []
    return operation


def build_document() -> dict[str, Any]:
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(
            components, endpoint
        )
    components.add(s.ErrorOut, "serialization")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Matchmaker API (工业设计供需对接平台)",
            "version": "1.0.0",
            "description": DESCRIPTION,
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": "/"}],
        "tags": [{"name": n} for n in dict.fromkeys(e.tag for e in ENDPOINTS)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Token from POST /api/v1/auth/token",
                }
            },
        },
    }


@route("/openapi.json", "GET", summary="This OpenAPI 3.1 document", tag="meta", auth=False)
def openapi_document() -> dict[str, Any]:
    cache = current_app.extensions.setdefault("api_openapi", {})
    if "document" not in cache:
        cache["document"] = build_document()
    return cache["document"]
