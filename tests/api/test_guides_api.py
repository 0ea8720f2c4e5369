"""API: guides — admins generate and publish; published editions are public and frozen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Guide
from matchmaker.services import accounts, demands
from matchmaker.transaction import commit
from tests.api.conftest import error_of

BODY = {
    "title": "2026年第四季度工业设计供需指南",
    "period_start": "2026-10-01",
    "period_end": "2026-12-31",
    "clusters": ["nev-ice", "摩托车"],
}


@pytest.fixture
def people(make):
    admin = make.admin()
    owner = make.enterprise()
    make.demand(owner, title="新能源汽车外观设计", cluster="nev-ice", region="yongchuan")
    provider = make.provider(clusters=["motorcycle"], services=["appearance-design"], team_size=12)
    accounts.set_organization_verified(db.session, admin, provider.organization_id, True)
    commit()
    return {"admin": admin, "owner": owner, "provider": provider}


def test_admin_creates_a_draft_from_current_data(api, people):
    response = api.post("/guides", people["admin"], json=BODY)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["edition"] is None and body["published_at"] is None
    assert body["clusters"] == ["nev-ice", "motorcycle"]
    assert body["totals"]["open_demands"] == 1 and body["totals"]["verified_providers"] == 1
    rows = {row["code"]: row for row in body["per_cluster"]}
    assert rows["nev-ice"]["demand_services"] == {"appearance-design": 1}
    assert rows["nev-ice"]["status"] == "shortage"
    assert rows["motorcycle"]["verified_team_size"] == 12
    assert body["gaps"]["shortage"][0] == {
        "scope": "cluster",
        "code": "nev-ice",
        "open_demands": 1,
        "verified_providers": 0,
    }
    assert body["links"] == {
        "html": f"/guides/{body['id']}",
        "pdf": f"/guides/{body['id']}.pdf",
        "xlsx": f"/guides/{body['id']}.xlsx",
    }
    assert body["changes"] is None and body["trend"][-1]["edition"] is None
    assert body["generated_at"].endswith(("Z", "+00:00"))


def test_creating_needs_an_admin_token(api, people):
    assert error_of(api.post("/guides", json=BODY), 401, "unauthorized")
    for user in (people["owner"], people["provider"]):
        error_of(api.post("/guides", user, json=BODY), 403, "forbidden")
    assert db.session.scalar(select(Guide)) is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({**BODY, "title": ""}, "title"),
        ({**BODY, "period_start": "2026-1-1x"}, "period_start"),
        ({**BODY, "period_start": 0}, "period_start"),
        ({**BODY, "period_end": "2026-09-30"}, "period_end"),
        ({**BODY, "clusters": ["nope"]}, "clusters"),
        ({**BODY, "clusters": "nev-ice"}, "clusters"),
        ({**BODY, "extra": True}, "extra"),
        ({"title": "x", "period_end": "2026-12-31"}, "period_start"),
    ],
)
def test_bad_input_is_422_with_the_field(api, people, body, field):
    error = error_of(api.post("/guides", people["admin"], json=body), 422, "validation_error")
    assert field in error["fields"]
    assert db.session.scalar(select(Guide)) is None


def test_bad_json_is_400(api, people):
    error_of(
        api.post("/guides", people["admin"], data="[1]", content_type="application/json"),
        400,
        "bad_request",
    )
    error_of(
        api.post("/guides", people["admin"], data="{", content_type="application/json"),
        400,
        "bad_request",
    )


def test_publish_freezes_the_edition(api, people, make):
    admin = people["admin"]
    guide_id = api.post("/guides", admin, json=BODY).get_json()["id"]
    assert error_of(api.post(f"/guides/{guide_id}/publish", people["owner"]), 403, "forbidden")
    published = api.post(f"/guides/{guide_id}/publish", admin)
    assert published.status_code == 200
    body = published.get_json()
    assert body["status"] == "published" and body["edition"] == 1 and body["published_at"]

    # the data changes; the edition does not
    demand = make.demand(people["owner"], title="摩托车外观设计", cluster="motorcycle")
    demands.withdraw(db.session, people["owner"], demand.id)
    make.demand(people["owner"], title="又一个汽车需求", cluster="nev-ice")
    public = api.get(f"/guides/{guide_id}")
    assert public.status_code == 200
    assert public.get_json() == body

    error_of(api.post(f"/guides/{guide_id}/publish", admin), 409, "conflict")
    error_of(api.patch(f"/guides/{guide_id}", admin, json={"commentary": "改"}), 409, "conflict")
    error_of(api.post(f"/guides/{guide_id}/regenerate", admin), 409, "conflict")
    error_of(api.delete(f"/guides/{guide_id}", admin), 409, "conflict")
    assert api.get(f"/guides/{guide_id}").get_json() == body


def test_public_list_and_detail_show_published_editions_only(api, people):
    admin = people["admin"]
    first = api.post("/guides", admin, json=BODY).get_json()["id"]
    api.post(f"/guides/{first}/publish", admin)
    second = api.post(
        "/guides", admin, json={**BODY, "title": "2027年第一季度工业设计供需指南"}
    ).get_json()["id"]
    listing = api.get("/guides")  # no token
    assert listing.status_code == 200
    items = listing.get_json()["items"]
    assert [i["id"] for i in items] == [first]
    assert items[0]["edition"] == 1 and items[0]["totals"]["open_demands"] == 1
    error_of(api.get(f"/guides/{second}"), 404, "not_found")
    error_of(
        api.get(f"/guides/{second}", admin), 404, "not_found"
    )  # drafts are not in the public API
    error_of(api.get("/guides/424242"), 404, "not_found")

    api.post(f"/guides/{second}/publish", admin)
    detail = api.get(f"/guides/{second}").get_json()
    assert detail["edition"] == 2 and detail["previous_id"] == first
    assert detail["changes"]["previous_edition"] == 1 and detail["changes"]["new_demands"] == []
    assert [p["edition"] for p in detail["trend"]] == [1, 2]
    assert [i["id"] for i in api.get("/guides").get_json()["items"]] == [second, first]


def test_admin_edits_regenerates_and_deletes_drafts(api, people, make):
    admin = people["admin"]
    guide_id = api.post("/guides", admin, json=BODY).get_json()["id"]
    edited = api.patch(
        f"/guides/{guide_id}", admin, json={"commentary": "本期汽车集群缺少认证设计力量。"}
    )
    assert (
        edited.status_code == 200
        and edited.get_json()["commentary"] == "本期汽车集群缺少认证设计力量。"
    )
    error_of(
        api.patch(f"/guides/{guide_id}", admin, json={"period_end": "2020-01-01"}),
        422,
        "validation_error",
    )
    make.demand(people["owner"], title="摩托车外观设计", cluster="motorcycle")
    regenerated = api.post(f"/guides/{guide_id}/regenerate", admin).get_json()
    assert regenerated["totals"]["open_demands"] == 2
    error_of(api.delete(f"/guides/{guide_id}", people["owner"]), 403, "forbidden")
    assert api.delete(f"/guides/{guide_id}", admin).status_code == 204
    error_of(api.patch(f"/guides/{guide_id}", admin, json={"commentary": "x"}), 404, "not_found")


def test_english_labels_are_not_in_the_json_but_codes_are(api, people):
    guide_id = api.post("/guides", people["admin"], json=BODY, lang="en").get_json()["id"]
    api.post(f"/guides/{guide_id}/publish", people["admin"])
    body = api.get(f"/guides/{guide_id}", lang="en").get_json()
    assert {row["code"] for row in body["per_cluster"]} == {"nev-ice", "motorcycle"}


def test_documented_in_openapi(api):
    document = api.get("/openapi.json").get_json()
    paths = document["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/guides"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/guides/{guide_id}"])
    assert "post" in paths["/api/v1/guides/{guide_id}/publish"]
    assert (
        "security" not in paths["/api/v1/guides"]["get"]
        or paths["/api/v1/guides"]["get"]["security"] == []
    )
    schemas = document["components"]["schemas"]
    assert "GuideIn" in schemas and "GuideOut" in schemas and "GuidePatch" in schemas
