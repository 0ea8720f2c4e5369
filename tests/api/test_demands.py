"""Demands: create, read, update, delete, visibility, validation, search with facets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, IndexOutbox, Organization
from tests.contract import DEMAND_FIELDS

from .conftest import demand_body, error_of


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Demand, Organization, AuditEvent, IndexOutbox)
    )


def test_enterprise_posts_a_demand_that_starts_in_review(api, make):
    user = make.enterprise()
    response = api.post("/demands", user, json=demand_body(status="published"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == DEMAND_FIELDS
    assert body["status"] == "in_review"
    assert body["organization_id"] == user.organization_id
    assert body["organization"] == {
        "id": user.organization_id,
        "name": user.organization.name,
        "region": user.organization.region,
    }
    assert body["deadline"] == "2030-03-31" and body["created_at"].endswith("Z")
    assert body["external_id"] is None and body["published_at"] is None
    assert api.get(f"/demands/{body['id']}", user).get_json() == body


def test_enterprise_may_keep_a_draft(api, make):
    body = api.post("/demands", make.enterprise(), json=demand_body(status="draft")).get_json()
    assert body["status"] == "draft"


def test_admin_publishes_for_a_named_organisation(api, make):
    admin = make.admin()
    body = demand_body(
        status="published", organization={"name": "重庆某摩托车制造有限公司", "region": "永川区"}
    )
    response = api.post("/demands", admin, json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "published" and created["published_at"]
    assert created["organization"]["name"] == "重庆某摩托车制造有限公司"
    assert created["organization"]["region"] == "yongchuan"
    # the same name is reused, not duplicated
    again = api.post("/demands", admin, json=body).get_json()
    assert again["organization_id"] == created["organization_id"]


def test_admin_needs_an_organisation(api, make):
    error = error_of(
        api.post("/demands", make.admin(), json=demand_body()), 422, "validation_error"
    )
    assert "organization_id" in error["fields"]


def test_provider_cannot_post_demands(api, make):
    error_of(api.post("/demands", make.provider(), json=demand_body()), 403, "forbidden")


def test_enterprise_cannot_post_for_another_organisation(api, make):
    other = make.enterprise()
    before = counts()
    error_of(
        api.post(
            "/demands", make.enterprise(), json=demand_body(organization_id=other.organization_id)
        ),
        403,
        "forbidden",
    )
    assert counts()[0] == before[0]


def test_cluster_label_is_normalised(api, make):
    body = api.post(
        "/demands",
        make.enterprise(),
        json=demand_body(
            cluster="新能源汽车",
            services=["外观设计", "appearance-design", "结构设计"],
            region="永川",
        ),
    ).get_json()
    assert body["cluster"] == "nev-ice"
    assert body["services"] == ["appearance-design", "structural-design"]
    assert body["region"] == "yongchuan"


@pytest.mark.parametrize(
    "fields, field, needle",
    [
        ({"cluster": "造火箭"}, "cluster", "造火箭"),
        ({"cluster": ["nev-ice"]}, "cluster", None),
        ({"services": ["外观设计", "算命"]}, "services", "算命"),
        ({"services": []}, "services", None),
        ({"budget_min": 500000, "budget_max": 100000}, "budget_max", None),
        ({"budget_min": 1.5}, "budget_min", None),
        ({"deadline": "next spring"}, "deadline", None),
        ({"deadline": "2027-02-30"}, "deadline", None),
        ({"title": ""}, "title", None),
        ({"title": "x" * 201}, "title", None),
        ({"status": "closed"}, "status", None),
        ({"region": None}, "region", None),
        ({"colour": "red"}, "colour", None),
    ],
)
def test_validation_errors_name_the_field_and_change_nothing(api, make, fields, field, needle):
    user = make.enterprise()
    before = counts()
    error = error_of(
        api.post("/demands", user, json=demand_body(**fields)), 422, "validation_error"
    )
    assert field in error["fields"], error
    if needle:
        assert any(needle in m for m in error["fields"][field])
    assert counts() == before


def test_required_fields(api, make):
    error = error_of(api.post("/demands", make.enterprise(), json={}), 422, "validation_error")
    assert {"title", "description", "cluster", "services", "region"} <= set(error["fields"])


def test_duplicate_external_id_is_409(api, make):
    admin, owner = make.admin(), make.enterprise()
    body = demand_body(external_id="dup", organization_id=owner.organization_id)
    assert api.post("/demands", admin, json=body).status_code == 201
    before = counts()
    error = error_of(api.post("/demands", admin, json=body), 409, "conflict")
    assert "external_id" in error["fields"]
    assert counts() == before


def test_visibility(api, make):
    owner, other, provider, admin = (
        make.enterprise(),
        make.enterprise(),
        make.provider(),
        make.admin(),
    )
    draft = make.demand(owner, status="draft")
    published = make.demand(owner)
    for user in (owner, admin):
        assert api.get(f"/demands/{draft.id}", user).status_code == 200
    error_of(api.get(f"/demands/{draft.id}", provider), 404, "not_found")
    error_of(api.get(f"/demands/{draft.id}", other), 404, "not_found")
    assert api.get(f"/demands/{published.id}", provider).get_json()["status"] == "published"
    error_of(api.get(f"/demands/{published.id}", other), 404, "not_found")
    error_of(api.get("/demands/424242", owner), 404, "not_found")


def test_patch_by_owner_and_review_again(api, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    response = api.patch(
        f"/demands/{demand.id}", owner, json={"budget_max": 500000, "cluster": "摩托车"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["budget_max"] == 500000 and body["cluster"] == "motorcycle"
    assert body["title"] == demand.title
    assert body["status"] == "in_review"  # an edited published demand is reviewed again


def test_patch_status_published_is_honoured_for_admin(api, make):
    owner, admin = make.enterprise(), make.admin()
    demand = make.demand(owner, status="in_review")
    assert (
        api.patch(f"/demands/{demand.id}", owner, json={"status": "published"}).get_json()["status"]
        == "in_review"
    )
    assert (
        api.patch(f"/demands/{demand.id}", admin, json={"status": "published"}).get_json()["status"]
        == "published"
    )


def test_patch_permissions(api, make):
    owner, other, provider = make.enterprise(), make.enterprise(), make.provider()
    demand = make.demand(owner)
    before = counts()
    error_of(api.patch(f"/demands/{demand.id}", provider, json={"title": "改"}), 403, "forbidden")
    error_of(api.patch(f"/demands/{demand.id}", other, json={"title": "改"}), 404, "not_found")
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).title == demand.title


def test_patch_rejected_write_changes_nothing(api, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    before = counts()
    error = error_of(
        api.patch(f"/demands/{demand.id}", owner, json={"budget_min": 900000}),
        422,
        "validation_error",
    )
    assert "budget_max" in error["fields"]
    assert counts() == before
    db.session.expire_all()
    stored = db.session.get(Demand, demand.id)
    assert stored.budget_min == 100000 and stored.status == "published"


def test_delete(api, make):
    owner, admin = make.enterprise(), make.admin()
    draft, published = make.demand(owner, status="draft"), make.demand(owner)
    error_of(api.delete(f"/demands/{published.id}", owner), 409, "conflict")
    error_of(api.delete(f"/demands/{draft.id}", make.enterprise()), 404, "not_found")
    assert api.delete(f"/demands/{draft.id}", owner).status_code == 204
    assert api.delete(f"/demands/{published.id}", admin).status_code == 204
    error_of(api.get(f"/demands/{published.id}", admin), 404, "not_found")


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def board(make):
    owner = make.enterprise()
    demands = {
        "a": make.demand(
            owner,
            title="电动汽车外观设计",
            cluster="nev-ice",
            services=["appearance-design"],
            region="yongchuan",
            budget_min=100000,
            budget_max=300000,
        ),
        "b": make.demand(
            owner,
            title="汽车座椅结构设计",
            cluster="nev-ice",
            services=["structural-design"],
            region="jiulongpo",
            budget_min=500000,
            budget_max=800000,
        ),
        "c": make.demand(
            owner,
            title="智能手表外观",
            cluster="electronics",
            services=["appearance-design", "cmf-design"],
            region="yongchuan",
            budget_min=50000,
            budget_max=80000,
        ),
        "draft": make.demand(owner, status="draft", title="草稿需求", cluster="electronics"),
        "review": make.demand(owner, status="in_review", title="审核中需求", cluster="electronics"),
    }
    return {k: d.id for k, d in demands.items()} | {"owner": owner}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def test_providers_search_published_demands_only(api, make, board):
    provider = make.provider()
    body = api.get("/demands", provider).get_json()
    assert set(body) == {"items", "total", "page", "per_page", "facets"}
    assert body["total"] == 3
    assert set(ids(api.get("/demands", provider))) == {board["a"], board["b"], board["c"]}
    assert set(body["items"][0]) == DEMAND_FIELDS
    facets = {
        name: {e["code"]: e["count"] for e in entries} for name, entries in body["facets"].items()
    }
    assert facets["cluster"] == {"nev-ice": 2, "electronics": 1}
    assert facets["service"] == {"appearance-design": 2, "structural-design": 1, "cmf-design": 1}
    assert facets["region"] == {"yongchuan": 2, "jiulongpo": 1}


def test_enterprises_cannot_search_demands(api, board):
    error_of(api.get("/demands", board["owner"]), 403, "forbidden")


def test_demand_filters(api, make, board):
    provider = make.provider()
    assert set(ids(api.get("/demands?cluster=nev-ice", provider))) == {board["a"], board["b"]}
    assert set(ids(api.get("/demands?cluster=nev-ice&cluster=electronics", provider))) == {
        board["a"],
        board["b"],
        board["c"],
    }
    assert ids(api.get("/demands?cluster=nev-ice&region=yongchuan", provider)) == [board["a"]]
    assert set(ids(api.get("/demands?service=appearance-design", provider))) == {
        board["a"],
        board["c"],
    }
    assert ids(api.get("/demands?budget_min=400000", provider)) == [board["b"]]
    assert set(ids(api.get("/demands?budget_max=90000", provider))) == {board["c"]}
    assert ids(api.get("/demands?q=座椅", provider)) == [board["b"]]


def test_demand_sorting_and_pages(api, make, board):
    provider = make.provider()
    assert ids(api.get("/demands?sort=budget", provider)) == [board["b"], board["a"], board["c"]]
    assert ids(api.get("/demands?sort=newest", provider)) == [board["c"], board["b"], board["a"]]
    first = api.get("/demands?sort=newest&per_page=2", provider).get_json()
    second = api.get("/demands?sort=newest&per_page=2&page=2", provider).get_json()
    assert first["total"] == second["total"] == 3
    assert [i["id"] for i in first["items"] + second["items"]] == [
        board["c"],
        board["b"],
        board["a"],
    ]


@pytest.mark.parametrize(
    "query, field",
    [
        ("budget_min=abc", "budget_min"),
        ("budget_max=-5", "budget_max"),
        ("budget_min=9&budget_max=1", "budget_max"),
        ("sort=oldest", "sort"),
        ("page=0", "page"),
        ("per_page=1000", "per_page"),
        ("service=算命", "service"),
        ("region=mars", "region"),
        ("level=national", "level"),
    ],
)
def test_demand_search_validation(api, make, query, field):
    error = error_of(api.get(f"/demands?{query}", make.provider()), 422, "validation_error")
    assert field in error["fields"], error


def test_demand_write_is_visible_to_search_at_once(api, make):
    admin, provider = make.admin(), make.provider()
    body = demand_body(
        title="氢燃料电池叉车造型设计", status="published", organization={"name": "某叉车厂"}
    )
    created = api.post("/demands", admin, json=body).get_json()
    assert created["id"] in ids(api.get("/demands?q=叉车", provider))
    assert api.delete(f"/demands/{created['id']}", admin).status_code == 204
    assert ids(api.get("/demands?q=叉车", provider)) == []
