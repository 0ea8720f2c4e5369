"""The talent pool's API: own profile, public cards, needs, matches, contacts, export, delete."""

from __future__ import annotations

import json

import pytest

from matchmaker.search_engine import get_search

from .conftest import error_of

CARD_KEYS = {
    "id",
    "specialities",
    "clusters",
    "professional_title",
    "seniority",
    "region",
    "availability",
}


def profile_body(**fields) -> dict:
    body = {
        "specialities": ["外观设计", "structural-design"],  # labels are accepted
        "clusters": ["smart-equipment"],
        "years_experience": 7,
        "professional_title": "中级",
        "education": "本科",
        "region": "永川",
        "bio": "机床外观与钣金结构设计七年",
        "availability": "available",
        "works": [{"title": "立式加工中心防护罩", "description": "外观与结构", "year": 2024}],
    }
    body.update(fields)
    return body


def need_body(**fields) -> dict:
    body = {
        "title": "结构设计师",
        "description": "负责装备产品的结构与外观设计",
        "specialities": ["structural-design"],
        "clusters": ["smart-equipment"],
        "min_title": "intermediate",
        "min_years": 3,
        "headcount": 2,
        "region": "yongchuan",
        "salary_min": 9000,
        "salary_max": 16000,
    }
    body.update(fields)
    return body


@pytest.fixture
def person(make, api):
    user = make.designer(name="李青", profile=False)
    response = api.post("/talent/profile", user, json=profile_body())
    assert response.status_code == 201, response.get_json()
    return user, response.get_json()


def test_own_profile_round_trip_and_validation(api, person, make):
    user, created = person
    assert created["specialities"] == ["appearance-design", "structural-design"]
    assert created["professional_title"] == "intermediate" and created["seniority"] == "senior"
    assert created["region"] == "yongchuan" and created["education"] == "bachelor"
    assert api.get("/talent/profile", user).get_json() == created
    error_of(api.post("/talent/profile", user, json=profile_body()), 409, "conflict")
    bad = api.patch(
        "/talent/profile", user, json={"professional_title": "教授", "years_experience": 99}
    )
    fields = error_of(bad, 422, "validation_error")["fields"]
    assert set(fields) == {"professional_title", "years_experience"}
    changed = api.patch("/talent/profile", user, json={"availability": "open", "works": []})
    assert changed.status_code == 200
    assert changed.get_json()["availability"] == "open" and changed.get_json()["works"] == []
    # Organisations' users keep no talent profile.
    error_of(api.post("/talent/profile", make.enterprise(), json=profile_body()), 403, "forbidden")


def test_the_public_gets_cards_only(api, person, client):
    _user, created = person
    get_search().refresh()
    card = api.get(f"/talent/{created['id']}")  # no token
    assert card.status_code == 200
    assert set(card.get_json()) == CARD_KEYS
    text = card.get_data(as_text=True)
    for private in ("李青", "机床外观与钣金", "防护罩", "bachelor", "years_experience"):
        assert private not in text
    page = api.get("/talent?speciality=structural-design&seniority=senior").get_json()
    assert [item["id"] for item in page["items"]] == [created["id"]]
    assert set(page["items"][0]) == CARD_KEYS
    assert {f["code"] for f in page["facets"]["seniority"]} == {"senior"}
    assert page["facets"]["title"][0]["label"] == "中级"
    english = api.get("/talent?speciality=structural-design", lang="en").get_json()
    assert english["facets"]["title"][0]["label"] == "Intermediate"
    error_of(api.get("/talent?seniority=guru"), 422, "validation_error")


def test_need_matches_contact_accept_hire(api, person, make):
    user, created = person
    owner = make.enterprise()
    need = api.post("/talent-needs", owner, json=need_body())
    assert need.status_code == 201, need.get_json()
    need_id = need.get_json()["id"]
    get_search().refresh()

    matches = api.get(f"/talent-needs/{need_id}/matches", owner).get_json()
    assert [m["talent"]["id"] for m in matches["items"]] == [created["id"]]
    assert set(matches["items"][0]["talent"]) == CARD_KEYS
    codes = [r["code"] for r in matches["items"][0]["reasons"]]
    assert {"speciality", "seniority"} <= set(codes)
    # Only the need's organisation reads its matches.
    error_of(api.get(f"/talent-needs/{need_id}/matches", make.enterprise()), 403, "forbidden")

    openings = api.get("/talent/profile/openings", user).get_json()
    assert [o["need"]["id"] for o in openings["items"]] == [need_id]

    sent = api.post(
        f"/talent/{created['id']}/contacts", owner, json={"need_id": need_id, "message": "您好"}
    )
    assert sent.status_code == 201 and sent.get_json()["contact"] is None
    contact_id = sent.get_json()["id"]
    received = api.get("/talent/contacts", user).get_json()["items"]
    assert [c["id"] for c in received] == [contact_id]
    assert received[0]["need"]["organization"]["name"] == owner.organization.name
    error_of(api.post(f"/talent-contacts/{contact_id}/accept", owner), 403, "forbidden")
    error_of(api.post(f"/talent-contacts/{contact_id}/accept", make.provider()), 404, "not_found")

    accepted = api.post(f"/talent-contacts/{contact_id}/accept", user).get_json()
    assert accepted["contact"]["person"]["name"] == "李青"
    hired = api.post(f"/talent-contacts/{contact_id}/hire", owner).get_json()
    assert hired["status"] == "hired" and hired["need"]["filled"] == 1
    assert hired["need"]["status"] == "open"  # two places, one taken


def test_needs_are_not_for_experts_nor_the_public(api, make):
    owner = make.enterprise()
    need_id = api.post("/talent-needs", owner, json=need_body()).get_json()["id"]
    error_of(api.get(f"/talent-needs/{need_id}"), 401, "unauthorized")
    assert api.get(f"/talent-needs/{need_id}", make.designer()).status_code == 200
    error_of(api.post("/talent-needs", make.designer(), json=need_body()), 403, "forbidden")
    bad = api.post("/talent-needs", owner, json=need_body(salary_min=20000, salary_max=5000))
    assert "salary_max" in error_of(bad, 422, "validation_error")["fields"]


def test_export_and_delete_own_data(api, person):
    user, created = person
    exported = api.get("/talent/profile/export", user)
    assert exported.status_code == 200
    data = exported.get_json()
    assert data["account"]["name"] == "李青"
    assert data["profile"]["works"][0]["title"] == "立式加工中心防护罩"
    json.dumps(data)

    assert api.delete("/talent/profile", user).status_code == 204
    error_of(api.get(f"/talent/{created['id']}"), 404, "not_found")
    # The account is closed: its token no longer works.
    error_of(api.get("/talent/profile", user), 401, "unauthorized")
