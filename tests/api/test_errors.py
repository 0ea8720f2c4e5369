"""Error shapes for malformed requests, unknown routes, and the search engine being down."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Demand, IndexOutbox, Provider
from matchmaker.search_engine import get_search
from matchmaker.services.indexing import deliver_pending
from search import SearchUnavailable

from .conftest import demand_body, error_of, provider_body


@pytest.mark.parametrize(
    "data", ["not json", '{"title": ', "[1, 2]", '"text"', "42", "null", "", "\xff"]
)
def test_body_must_be_a_json_object(api, make, data):
    user = make.enterprise()
    response = api.post(
        "/demands", user, data=data.encode("latin-1"), content_type="application/json"
    )
    error_of(response, 400, "bad_request")
    assert db.session.scalar(select(func.count(Demand.id))) == 0


@pytest.mark.parametrize(
    "data",
    [
        "[" * 100_000,
        "[" * 50_000 + "]" * 50_000,
        '{"title": ' + "[" * 100_000,
        '{"title": ' + '{"a": ' * 60_000 + "1" + "}" * 60_001,
        '{"budget_min": ' + "9" * 5_000 + "}",
    ],
    ids=["unclosed", "balanced", "in-a-field", "objects", "huge-number"],
)
def test_deeply_nested_or_unparsable_json_is_400(api, make, data):
    user = make.enterprise()
    response = api.post("/demands", user, data=data, content_type="application/json")
    error_of(response, 400, "bad_request")
    assert db.session.scalar(select(func.count(Demand.id))) == 0


def test_json_without_content_type_is_accepted(api, make):
    import json

    response = api.post(
        "/demands", make.enterprise(), data=json.dumps(demand_body()), content_type="text/plain"
    )
    assert response.status_code == 201


def test_too_large_body_is_413(api, make):
    user = make.enterprise()
    body = demand_body(description="大" * 600_000)  # ~1.8 MB of UTF-8
    error_of(api.post("/demands", user, json=body), 413, "too_large")
    assert db.session.scalar(select(func.count(Demand.id))) == 0


def test_limit_is_configurable(app_config):
    from matchmaker import create_app

    app = create_app({**app_config, "API_MAX_BODY_BYTES": 10})
    with app.test_request_context():
        from matchmaker.api import api_body_limit

        assert api_body_limit() == 10


def test_long_text_within_the_body_limit_is_a_validation_error(api, make):
    error = error_of(
        api.post("/demands", make.enterprise(), json=demand_body(description="长" * 10_001)),
        422,
        "validation_error",
    )
    assert "description" in error["fields"]


def test_unknown_api_path_and_method(api, make):
    user = make.enterprise()
    error_of(api.get("/nothing-here", user), 404, "not_found")
    error_of(api.get("/nothing-here"), 404, "not_found")
    response = api.request("PUT", "/demands", user, json={})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.fixture
def engine_down(app, monkeypatch):
    backend = get_search()

    def unavailable(*args, **kwargs):
        raise SearchUnavailable("connection refused")

    for name in ("search", "match_providers", "match_leads", "index", "delete"):
        monkeypatch.setattr(backend, name, unavailable)
    return monkeypatch


def test_search_down_reads_are_503_unavailable(api, make):
    owner, provider = make.enterprise(), make.provider()
    demand = make.demand(owner)
    pid = provider.organization.provider.id
    backend = get_search()

    def unavailable(*args, **kwargs):
        raise SearchUnavailable("connection refused")

    for name in ("search", "match_providers", "match_leads"):
        setattr(backend, name, unavailable)
    try:
        for path, user in (
            ("/providers", owner),
            ("/demands", provider),
            (f"/demands/{demand.id}/matches", owner),
            (f"/providers/{pid}/leads", provider),
        ):
            response = api.get(path, user)
            error_of(response, 503, "unavailable")
            assert response.headers["Retry-After"]
    finally:
        for name in ("search", "match_providers", "match_leads"):
            delattr(backend, name)
    # reading works again once the engine is back
    assert api.get("/providers", owner).status_code == 200


def test_search_down_writes_still_succeed_and_catch_up(api, make, engine_down):
    admin = make.admin()
    response = api.post("/providers", admin, json=provider_body(description="停电期间登记的服务方"))
    assert response.status_code == 201
    pid = response.get_json()["id"]
    assert db.session.get(Provider, pid) is not None
    assert db.session.scalar(select(func.count(IndexOutbox.id))) >= 1
    engine_down.undo()
    deliver_pending(db.session, get_search())
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == 0
    found = api.get("/providers?q=停电期间", admin).get_json()["items"]
    assert [item["id"] for item in found] == [pid]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/guides",
            {
                "title": "指南",
                "period_start": "2026-01-01",
                "period_end": "2026-03-31",
                "commentary": "第一段\x00",
            },
            "commentary",
        ),
        ("/providers", provider_body(description="外观\x00设计"), "description"),
        ("/providers", provider_body(services=["appearance-design\x00"]), "services"),
    ],
)
def test_a_nul_character_is_a_422_naming_the_field_on_every_database(api, make, path, body, field):
    error = error_of(api.post(path, make.admin(), json=body), 422, "validation_error")
    assert field in error["fields"]


TOO_BIG = 2**31  # one past the largest id a 32-bit INTEGER column holds
GROUP = {"title": "共性", "brief": "共同委托", "threshold": 1}


@pytest.mark.parametrize(
    "method, path, body, field",
    [
        ("POST", "/common-needs", {**GROUP, "demand_ids": [1, TOO_BIG]}, "demand_ids"),
        ("POST", "/common-needs", {**GROUP, "demand_ids": [1, 2**80]}, "demand_ids"),
        ("GET", f"/showcase-entries?year_id={TOO_BIG}", None, "year_id"),
        ("POST", "/demands", demand_body(organization_id=TOO_BIG), "organization_id"),
    ],
    ids=["body-list", "beyond-64-bits", "query", "body-field"],
)
def test_an_id_beyond_the_column_is_a_422_on_every_database(api, make, method, path, body, field):
    """PostgreSQL refuses to compare such a number with an INTEGER column (an error, not "no
    row"), and SQLite cannot take one beyond 64 bits: the schemas stop it first."""
    response = api.request(method, path, make.admin(), json=body)
    assert field in error_of(response, 422, "validation_error")["fields"]


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/demands", demand_body(budget_min=True), "budget_min"),
        ("/demands", demand_body(organization_id=True), "organization_id"),
        ("/providers", provider_body(price_min=True), "price_min"),
        ("/providers", provider_body(price_max=False), "price_max"),
    ],
)
def test_true_or_false_is_no_id_or_amount(api, make, path, body, field):
    """Pydantic would read true as 1 and false as 0: an id or an amount refuses both, with the
    message text gets, and nothing is stored."""
    admin = make.admin()
    as_text = error_of(api.post(path, admin, json={**body, field: "x"}), 422, "validation_error")
    error = error_of(api.post(path, admin, json=body), 422, "validation_error")
    assert error["fields"] == as_text["fields"] == {field: as_text["fields"][field]}
    assert db.session.scalar(select(func.count()).select_from(Demand)) == 0
    assert db.session.scalar(select(func.count()).select_from(Provider)) == 0
