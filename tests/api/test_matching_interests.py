"""Matches, leads and the interest workflow."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Interest
from tests.contract import INTEREST_FIELDS, REASON_CODES

from .conftest import error_of


@pytest.fixture
def market(make):
    owner = make.enterprise()
    demand = make.demand(
        owner, title="新能源汽车外观设计", services=["appearance-design", "structural-design"]
    )
    strong = make.provider(
        name="强匹配设计",
        level="national",
        services=["appearance-design", "structural-design"],
        description="新能源汽车整车外观设计与结构设计",
        price_min=100000,
        price_max=500000,
    )
    weak = make.provider(
        name="弱匹配设计",
        region="jiulongpo",
        clusters=["electronics"],
        services=["appearance-design"],
        description="消费电子外观",
    )
    return {"owner": owner, "demand": demand, "strong": strong, "weak": weak}


def test_matches_best_first_with_reasons(api, market):
    demand = market["demand"]
    response = api.get(f"/demands/{demand.id}/matches", market["owner"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["demand_id"] == demand.id
    items = body["items"]
    assert items and items[0]["provider"]["id"] == market["strong"].organization.provider.id
    assert set(items[0]["provider"]) == {"id", "name", "kind", "level", "region"}
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)
    for item in items:
        assert item["reasons"]
        for reason in item["reasons"]:
            assert set(reason) == {"code", "label"} and reason["code"] in REASON_CODES
    codes = {r["code"] for r in items[0]["reasons"]}
    assert {"cluster", "service"} <= codes
    assert any("\u4e00" <= ch <= "\u9fff" for ch in items[0]["reasons"][0]["label"])


def test_match_reasons_in_english(api, market):
    items = api.get(
        f"/demands/{market['demand'].id}/matches", market["owner"], lang="en"
    ).get_json()["items"]
    label = items[0]["reasons"][0]["label"]
    assert label and not any("\u4e00" <= ch <= "\u9fff" for ch in label), label


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_matches_limit_is_validated(api, market, limit):
    error = error_of(
        api.get(f"/demands/{market['demand'].id}/matches?limit={limit}", market["owner"]),
        422,
        "validation_error",
    )
    assert "limit" in error["fields"]


def test_matches_limit(api, market):
    items = api.get(f"/demands/{market['demand'].id}/matches?limit=1", market["owner"]).get_json()[
        "items"
    ]
    assert len(items) == 1


def test_matches_permissions_and_states(api, make, market):
    demand = market["demand"]
    error_of(api.get(f"/demands/{demand.id}/matches", market["strong"]), 403, "forbidden")
    error_of(api.get(f"/demands/{demand.id}/matches", make.enterprise()), 404, "not_found")
    assert api.get(f"/demands/{demand.id}/matches", make.admin()).status_code == 200
    draft = make.demand(market["owner"], status="draft")
    error_of(api.get(f"/demands/{draft.id}/matches", market["owner"]), 409, "conflict")
    error_of(api.get(f"/demands/{draft.id}/matches", market["strong"]), 404, "not_found")


def test_leads_for_a_provider(api, make, market):
    provider = market["strong"]
    pid = provider.organization.provider.id
    response = api.get(f"/providers/{pid}/leads?limit=5", provider)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["provider_id"] == pid
    assert body["items"][0]["demand"] == {
        "id": market["demand"].id,
        "title": "新能源汽车外观设计",
        "cluster": "nev-ice",
        "region": "yongchuan",
        "budget_min": 100000,
        "budget_max": 300000,
        "deadline": "2030-12-31",
    }
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert all(r["code"] in REASON_CODES for item in body["items"] for r in item["reasons"])
    # others' leads
    error_of(api.get(f"/providers/{pid}/leads", market["weak"]), 403, "forbidden")
    error_of(api.get(f"/providers/{pid}/leads", market["owner"]), 403, "forbidden")
    assert api.get(f"/providers/{pid}/leads", make.admin()).status_code == 200
    error_of(api.get("/providers/777777/leads", make.admin()), 404, "not_found")
    error_of(api.get(f"/providers/{pid}/leads?limit=500", provider), 422, "validation_error")


def test_a_new_demand_is_a_lead_at_once(api, make, market):
    provider = market["strong"]
    pid = provider.organization.provider.id
    admin = make.admin()
    created = api.post(
        "/demands",
        admin,
        json={
            "title": "新能源汽车充电桩外观设计",
            "description": "充电桩外观造型",
            "cluster": "nev-ice",
            "services": ["appearance-design"],
            "region": "yongchuan",
            "status": "published",
            "organization_id": market["owner"].organization_id,
        },
    ).get_json()
    leads = api.get(f"/providers/{pid}/leads?limit=100", provider).get_json()["items"]
    assert created["id"] in {item["demand"]["id"] for item in leads}


# --- interests -------------------------------------------------------------------------------

INTEREST = {"message": "我们做过三款电动车外观", "price": 200000, "timeline_days": 60}


def test_interest_workflow_reveals_contacts_only_when_accepted(api, market):
    owner, provider, demand = market["owner"], market["strong"], market["demand"]
    response = api.post(f"/demands/{demand.id}/interests", provider, json=INTEREST)
    assert response.status_code == 201, response.get_json()
    interest = response.get_json()
    assert set(interest) == INTEREST_FIELDS
    assert interest["status"] == "pending" and interest["contact"] is None
    assert interest["provider"] == {
        "id": provider.organization.provider.id,
        "name": provider.organization.name,
    }
    listed = api.get(f"/demands/{demand.id}/interests", owner).get_json()
    assert listed == {"demand_id": demand.id, "items": [interest]}

    accepted = api.post(f"/interests/{interest['id']}/accept", owner)
    assert accepted.status_code == 200, accepted.get_json()
    contact = accepted.get_json()["contact"]
    assert accepted.get_json()["status"] == "accepted"
    assert set(contact) == {"enterprise", "provider"}
    for side in contact.values():
        assert {"name", "email", "phone"} <= set(side)
    assert contact["enterprise"]["phone"] == owner.organization.phone
    assert contact["provider"]["email"] == provider.organization.email
    assert api.get(f"/demands/{demand.id}", owner).get_json()["status"] == "in_negotiation"
    error_of(api.post(f"/interests/{interest['id']}/decline", owner), 409, "conflict")


def test_decline(api, market):
    interest = api.post(
        f"/demands/{market['demand'].id}/interests", market["strong"], json=INTEREST
    ).get_json()
    declined = api.post(f"/interests/{interest['id']}/decline", market["owner"]).get_json()
    assert declined["status"] == "declined" and declined["contact"] is None


def test_interest_permissions(api, make, market):
    owner, provider, demand = market["owner"], market["strong"], market["demand"]
    error_of(api.post(f"/demands/{demand.id}/interests", owner, json=INTEREST), 403, "forbidden")
    interest = api.post(f"/demands/{demand.id}/interests", provider, json=INTEREST).get_json()
    error_of(api.post(f"/demands/{demand.id}/interests", provider, json=INTEREST), 409, "conflict")
    other = make.enterprise()
    # another enterprise neither sees the interests nor decides them
    error_of(api.get(f"/demands/{demand.id}/interests", other), 404, "not_found")
    error_of(api.get(f"/demands/{demand.id}/interests", market["weak"]), 403, "forbidden")
    # another organisation's interest does not exist for it; the provider sees its own
    error_of(api.post(f"/interests/{interest['id']}/accept", other), 404, "not_found")
    error_of(api.post(f"/interests/{interest['id']}/accept", provider), 403, "forbidden")
    error_of(api.post("/interests/999999/accept", owner), 404, "not_found")
    assert api.get(f"/demands/{demand.id}/interests", make.admin()).status_code == 200


def test_interest_on_invisible_demand_is_404(api, make, market):
    draft = make.demand(market["owner"], status="draft")
    error_of(
        api.post(f"/demands/{draft.id}/interests", market["strong"], json=INTEREST),
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"price": 1}, "message"),
        ({"message": ""}, "message"),
        ({"message": "ok", "price": -3}, "price"),
        ({"message": "ok", "timeline_days": 0}, "timeline_days"),
        ({"message": "ok", "bogus": 1}, "bogus"),
    ],
)
def test_interest_validation_changes_nothing(api, market, body, field):
    error = error_of(
        api.post(f"/demands/{market['demand'].id}/interests", market["strong"], json=body),
        422,
        "validation_error",
    )
    assert field in error["fields"]
    assert db.session.scalar(select(func.count(Interest.id))) == 0
