"""The OpenAPI document: 3.1, complete (every API route), self-consistent, matching the views."""

from __future__ import annotations

import re

import pytest

from matchmaker.api.routing import ENDPOINTS
from tests.contract import DEMAND_FIELDS, INTEREST_FIELDS, PROVIDER_FIELDS

METHODS = {"get", "post", "patch", "delete", "put"}


@pytest.fixture
def document(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)


def test_is_openapi_3_1_with_decisions(document):
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    description = document["info"]["description"]
    for decision in ("503", "unavailable", "Accept-Language", "404", "403", "413", "422"):
        assert decision in description
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Token from POST /api/v1/auth/token",
    }


def test_every_api_route_is_documented(app, document):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((openapi_path(rule.rule), method.lower()))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented
    assert len(routes) == len(ENDPOINTS)


def test_contract_endpoints_are_present(document):
    expected = {
        ("/api/v1/auth/token", "post"),
        ("/api/v1/taxonomy", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/providers", "post"),
        ("/api/v1/providers", "get"),
        ("/api/v1/providers/{provider_id}", "get"),
        ("/api/v1/providers/{provider_id}", "patch"),
        ("/api/v1/providers/{provider_id}", "delete"),
        ("/api/v1/providers/{provider_id}/leads", "get"),
        ("/api/v1/demands", "post"),
        ("/api/v1/demands", "get"),
        ("/api/v1/demands/{demand_id}", "get"),
        ("/api/v1/demands/{demand_id}", "patch"),
        ("/api/v1/demands/{demand_id}", "delete"),
        ("/api/v1/demands/{demand_id}/matches", "get"),
        ("/api/v1/demands/{demand_id}/interests", "post"),
        ("/api/v1/demands/{demand_id}/interests", "get"),
        ("/api/v1/interests/{interest_id}/accept", "post"),
        ("/api/v1/interests/{interest_id}/decline", "post"),
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert expected <= documented


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_reference_resolves(document):
    schemas = document["components"]["schemas"]
    found = list(refs(document))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    assert "$defs" not in str(document)


def test_operations_have_schemas_security_and_errors(document):
    public = {
        ("/api/v1/taxonomy", "get"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/auth/token", "post"),
        ("/api/v1/providers/{provider_id}/reviews", "get"),  # API.md: public once visible
    }
    # API.md: the published supply-demand guides are public too
    public |= {(path, "get") for path in document["paths"] if path.startswith("/api/v1/guides")}
    # the talent pool's anonymised cards are public
    public |= {("/api/v1/talent", "get"), ("/api/v1/talent/{talent_id}", "get")}
    # …and the published editions of the scarce-talent guide
    public |= {(p, "get") for p in document["paths"] if p.startswith("/api/v1/talent-guides")}
    # a call for accreditation, and the register of recognised design centres
    public |= {("/api/v1/accreditation-rounds", "get"), ("/api/v1/recognitions", "get")}
    # the good-design selection's years and its public showcase
    public |= {("/api/v1/showcase-years", "get"), ("/api/v1/showcase", "get")}
    operation_ids = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert method in METHODS
            assert operation["operationId"] not in operation_ids
            operation_ids.add(operation["operationId"])
            assert operation["summary"] and operation["tags"]
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert len(success) == 1
            if success[0] != "204":
                assert operation["responses"][success[0]]["content"]["application/json"]["schema"]
            if (path, method) in public:
                assert operation["security"] == []
            else:
                assert operation["security"] == [{"bearerAuth": []}]
                assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"
                }
            if "requestBody" in operation:
                content = operation["requestBody"]["content"]
                if "multipart/form-data" in content:  # files: each field takes binary parts
                    fields = content["multipart/form-data"]["schema"]["properties"].values()
                    assert all(f["items"]["format"] == "binary" for f in fields)
                else:
                    body = content["application/json"]["schema"]
                    assert body["$ref"].startswith("#/components/schemas/")
                assert {"400", "413", "422"} <= set(operation["responses"])
            for name in re.findall(r"{(\w+)}", path):
                params = {p["name"]: p for p in operation["parameters"] if p["in"] == "path"}
                assert params[name]["required"] is True
                assert params[name]["schema"]["type"] == "integer"


def test_writes_with_bodies_document_them(document):
    with_body = {
        ("/api/v1/auth/token", "post"),
        ("/api/v1/providers", "post"),
        ("/api/v1/providers/{provider_id}", "patch"),
        ("/api/v1/demands", "post"),
        ("/api/v1/demands/{demand_id}", "patch"),
        ("/api/v1/demands/{demand_id}/interests", "post"),
    }
    for path, method in with_body:
        assert "requestBody" in document["paths"][path][method], (path, method)
    for path in (
        "/api/v1/interests/{interest_id}/accept",
        "/api/v1/interests/{interest_id}/decline",
    ):
        assert "requestBody" not in document["paths"][path]["post"]


def test_request_schemas_come_from_the_validating_models(document):
    from matchmaker.schemas import DemandIn, ProviderIn

    schemas = document["components"]["schemas"]
    for model in (ProviderIn, DemandIn):
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields)
        assert set(schemas[model.__name__]["required"]) == {
            n for n, f in model.model_fields.items() if f.is_required()
        }
    assert "required" not in schemas["ProviderPatch"]
    # A PATCH takes the creation fields, and the version it was made from.
    assert set(schemas["ProviderPatch"]["properties"]) == {*ProviderIn.model_fields, "version"}
    patch = document["paths"]["/api/v1/demands/{demand_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DemandPatch"
    }


def test_query_parameters(document):
    search = document["paths"]["/api/v1/demands"]["get"]
    params = {p["name"]: p for p in search["parameters"]}
    assert set(params) == {
        "q",
        "cluster",
        "service",
        "region",
        "budget_min",
        "budget_max",
        "sort",
        "page",
        "per_page",
    }
    assert params["cluster"]["schema"]["type"] == "array" and params["cluster"]["explode"] is True
    assert params["sort"]["schema"]["enum"] == ["relevance", "newest", "budget"]
    assert params["per_page"]["schema"]["maximum"] == 100
    providers = {p["name"] for p in document["paths"]["/api/v1/providers"]["get"]["parameters"]}
    assert {"level", "kind"} <= providers
    matches = document["paths"]["/api/v1/demands/{demand_id}/matches"]["get"]
    limit = next(p for p in matches["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 100


def test_response_schemas_name_the_contract_fields(document):
    schemas = document["components"]["schemas"]
    assert set(schemas["ProviderOut"]["properties"]) == PROVIDER_FIELDS
    assert set(schemas["DemandOut"]["properties"]) == DEMAND_FIELDS
    assert set(schemas["InterestOut"]["properties"]) == INTEREST_FIELDS
    assert set(schemas["FacetEntry"]["properties"]) == {"code", "label", "count"}
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "fields", "reason"}
