"""Stale writes: demands and providers carry a version; a PATCH made from an old one is 409."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import Demand, Provider

from .conftest import error_of


@pytest.fixture
def demand_of(make):
    def create():
        owner = make.enterprise()
        return owner, make.demand(owner, status="draft")

    return create


def test_objects_carry_their_version_and_etag(api, make, demand_of):
    owner, demand = demand_of()
    response = api.get(f"/demands/{demand.id}", owner)
    version = response.get_json()["version"]
    assert isinstance(version, int) and version >= 1
    assert response.headers["ETag"] == f'"{version}"'
    user = make.provider()
    provider = user.organization.provider
    response = api.get(f"/providers/{provider.id}", user)
    assert response.get_json()["version"] >= 1
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'


def test_patch_with_the_current_version_succeeds_and_moves_it(api, demand_of):
    owner, demand = demand_of()
    version = api.get(f"/demands/{demand.id}", owner).get_json()["version"]
    response = api.patch(
        f"/demands/{demand.id}", owner, json={"title": "新标题", "version": version}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] > version
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'
    response = api.patch(
        f"/demands/{demand.id}",
        owner,
        json={"title": "再改一次"},
        headers={"If-Match": response.headers["ETag"]},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("how", ["body", "if-match", "weak-if-match"])
def test_patch_from_a_stale_version_is_409_and_changes_nothing(api, demand_of, how):
    owner, demand = demand_of()
    stale = api.get(f"/demands/{demand.id}", owner).get_json()["version"]
    assert (
        api.patch(f"/demands/{demand.id}", owner, json={"title": "同事的修改"}).status_code == 200
    )
    body = {"title": "我的修改"}
    headers = {}
    if how == "body":
        body["version"] = stale
    else:
        headers["If-Match"] = f'W/"{stale}"' if how == "weak-if-match" else f'"{stale}"'
    error = error_of(
        api.patch(f"/demands/{demand.id}", owner, json=body, headers=headers), 409, "conflict"
    )
    assert str(stale) in error["message"]
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).title == "同事的修改"


def test_patch_without_a_version_keeps_working(api, demand_of):
    owner, demand = demand_of()
    assert api.patch(f"/demands/{demand.id}", owner, json={"title": "无版本"}).status_code == 200


@pytest.mark.parametrize(
    "body,headers",
    [
        ({"version": "three"}, {}),
        ({"version": 0}, {}),
        ({}, {"If-Match": '"3", "4"'}),
        ({}, {"If-Match": '"abc"'}),
    ],
    ids=["text", "zero", "two-tags", "not-a-number"],
)
def test_a_malformed_version_is_a_clear_error(api, demand_of, body, headers):
    owner, demand = demand_of()
    response = api.patch(
        f"/demands/{demand.id}", owner, json={"title": "x", **body}, headers=headers
    )
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert "version" in error.get("fields", {}) or "If-Match" in error["message"]


def test_provider_patch_from_a_stale_version_is_409(api, make):
    user = make.provider()
    provider_id = user.organization.provider.id
    stale = api.get(f"/providers/{provider_id}", user).get_json()["version"]
    assert api.patch(f"/providers/{provider_id}", user, json={"team_size": 12}).status_code == 200
    error_of(
        api.patch(f"/providers/{provider_id}", user, json={"team_size": 30, "version": stale}),
        409,
        "conflict",
    )
    db.session.expire_all()
    assert db.session.get(Provider, provider_id).team_size == 12


def test_the_openapi_document_describes_versions(api):
    spec = api.get("/openapi.json").get_json()
    patch = spec["paths"]["/api/v1/demands/{demand_id}"]["patch"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert "version" in spec["components"]["schemas"]["DemandPatch"]["properties"]
    assert "version" in spec["components"]["schemas"]["DemandOut"]["required"]
    assert "409" in patch["responses"]
