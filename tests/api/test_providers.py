"""Providers: create, read, update, delete, permissions, validation, search with facets."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Case, IndexOutbox, Organization, Provider
from tests.contract import PROVIDER_FIELDS

from .conftest import error_of, provider_body


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Provider, Organization, Case, AuditEvent, IndexOutbox)
    )


def test_admin_creates_a_provider_and_verified_is_honoured(api, make):
    admin = make.admin()
    response = api.post("/providers", admin, json=provider_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == PROVIDER_FIELDS
    assert body["verified"] is True
    assert body["external_id"] == "survey-2026-0042"
    assert body["cases"][0]["title"] == "电动皮卡外观设计" and body["cases"][0]["year"] == 2024
    assert api.get(f"/providers/{body['id']}", admin).get_json() == body


def test_provider_user_creates_its_own_profile_but_not_verified(api, make):
    user = make.provider(profile=False)
    response = api.post(
        "/providers",
        user,
        json=provider_body(name=user.organization.name, verified=True, external_id=None),
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["verified"] is False
    assert db.session.get(Provider, body["id"]).organization_id == user.organization_id
    # a second profile for the same organisation conflicts
    error_of(api.post("/providers", user, json=provider_body(external_id=None)), 409, "conflict")


def test_enterprise_cannot_create_providers(api, make):
    user = make.enterprise()
    before = counts()
    error_of(api.post("/providers", user, json=provider_body()), 403, "forbidden")
    assert counts() == before


def test_labels_and_aliases_are_normalised_to_codes(api, make):
    admin = make.admin()
    body = provider_body(
        kind="设计公司",
        level="市级",
        region="永川区",
        clusters=["新能源汽车", "Intelligent Connected New Energy Vehicles"],
        services=["外观设计"],
        cases=[{"title": "案例", "cluster": "汽车"}],
    )
    response = api.post("/providers", admin, json=body)
    if response.status_code != 201:  # labels may differ in wording; fall back to the taxonomy's own
        pytest.fail(response.get_data(as_text=True))
    stored = response.get_json()
    assert stored["clusters"] == ["nev-ice"]
    assert stored["level"] == "municipal" and stored["region"] == "yongchuan"
    assert stored["cases"][0]["cluster"] == "nev-ice"


@pytest.mark.parametrize(
    "field, value, needle",
    [
        ("kind", "spaceship-yard", "spaceship-yard"),
        ("region", "火星", "火星"),
        ("clusters", ["nev-ice", "不存在的集群"], "不存在的集群"),
        ("services", [], None),
        ("name", "", None),
        ("team_size", 0, None),
        ("team_size", "many", None),
        ("price_min", -1, None),
        ("verified", "perhaps", None),
        ("unexpected", 1, None),
    ],
)
def test_validation_errors_name_the_field(api, make, field, value, needle):
    admin = make.admin()
    before = counts()
    error = error_of(
        api.post("/providers", admin, json=provider_body(**{field: value})), 422, "validation_error"
    )
    assert field in error["fields"], error
    if needle:
        assert any(needle in message for message in error["fields"][field])
    assert counts() == before


def test_required_fields(api, make):
    error = error_of(api.post("/providers", make.admin(), json={}), 422, "validation_error")
    assert {"name", "kind", "region", "clusters", "services"} <= set(error["fields"])


def test_price_range_is_checked(api, make):
    error = error_of(
        api.post("/providers", make.admin(), json=provider_body(price_min=500, price_max=100)),
        422,
        "validation_error",
    )
    assert set(error["fields"]) == {"price_max"}
    # … in the same round as the other fields' errors
    body = provider_body(price_min=500, price_max=100, region="火星区")
    error = error_of(api.post("/providers", make.admin(), json=body), 422, "validation_error")
    assert set(error["fields"]) == {"price_max", "region"}


def test_duplicate_external_id_is_409_and_changes_nothing(api, make):
    admin = make.admin()
    assert api.post("/providers", admin, json=provider_body()).status_code == 201
    before = counts()
    error = error_of(
        api.post("/providers", admin, json=provider_body(name="另一家设计公司")), 409, "conflict"
    )
    assert "external_id" in error["fields"]
    assert counts() == before


def test_patch_own_provider(api, make):
    user = make.provider()
    provider = make.provider_profile(user)
    response = api.patch(
        f"/providers/{provider.id}", user, json={"team_size": 40, "services": ["结构设计"]}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["team_size"] == 40 and body["services"] == ["structural-design"]
    assert body["clusters"] == ["nev-ice"]  # untouched fields stay


def test_patch_verified_is_ignored_for_owner_honoured_for_admin(api, make):
    user, admin = make.provider(), make.admin()
    provider = make.provider_profile(user)
    assert (
        api.patch(f"/providers/{provider.id}", user, json={"verified": True}).get_json()["verified"]
        is False
    )
    assert (
        api.patch(f"/providers/{provider.id}", admin, json={"verified": True}).get_json()[
            "verified"
        ]
        is True
    )


def test_provider_cannot_patch_another_organisations_provider(api, make):
    mine, other, enterprise = make.provider(), make.provider(), make.enterprise()
    target = make.provider_profile(other)
    before = counts()
    error_of(api.patch(f"/providers/{target.id}", mine, json={"team_size": 1}), 403, "forbidden")
    error_of(
        api.patch(f"/providers/{target.id}", enterprise, json={"team_size": 1}), 403, "forbidden"
    )
    assert counts() == before
    assert db.session.get(Provider, target.id).team_size is None


def test_patch_validation_and_body_errors(api, make):
    user = make.provider()
    provider = make.provider_profile(user)
    error = error_of(
        api.patch(f"/providers/{provider.id}", user, json={"region": "nowhere"}),
        422,
        "validation_error",
    )
    assert "nowhere" in error["fields"]["region"][0]
    error_of(api.patch(f"/providers/{provider.id}", user, json=["team_size"]), 400, "bad_request")


def test_external_id_is_private_to_owner_and_admin(api, make):
    user, admin = make.provider(), make.admin()
    provider = make.provider_profile(user)
    assert api.patch(f"/providers/{provider.id}", admin, json={"external_id": "own-ref-1"})
    assert api.get(f"/providers/{provider.id}", user).get_json()["external_id"] == "own-ref-1"
    assert (
        api.get(f"/providers/{provider.id}", make.admin()).get_json()["external_id"] == "own-ref-1"
    )
    assert api.get(f"/providers/{provider.id}", make.enterprise()).get_json()["external_id"] is None


def test_delete_is_for_admins(api, make):
    user = make.provider()
    provider = make.provider_profile(user)
    error_of(api.delete(f"/providers/{provider.id}", user), 403, "forbidden")
    response = api.delete(f"/providers/{provider.id}", make.admin())
    assert response.status_code == 204 and response.get_data() == b""
    error_of(api.get(f"/providers/{provider.id}", user), 404, "not_found")
    assert api.get("/providers", user).get_json()["total"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/providers/999999",
        "/providers/0",
        "/providers/-1",
        "/providers/abc",
        "/providers/99999999999999999999",
    ],
)
def test_unknown_provider_is_404(api, make, path):
    error_of(api.get(path, make.enterprise()), 404, "not_found")


# --- search ----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(make):
    """Four providers across clusters, services, regions, levels and kinds."""
    a = make.provider(
        name="甲设计",
        region="yongchuan",
        level="municipal",
        clusters=["nev-ice"],
        services=["appearance-design"],
        description="新能源汽车外观设计",
    )
    b = make.provider(
        name="乙设计",
        region="yongchuan",
        level="none",
        clusters=["nev-ice"],
        services=["structural-design"],
        description="汽车结构设计",
    )
    c = make.provider(
        name="丙设计",
        region="jiulongpo",
        level="national",
        kind="design-institute",
        clusters=["electronics"],
        services=["appearance-design"],
        description="电子产品外观",
    )
    d = make.provider(
        name="丁设计",
        region="jiulongpo",
        level="none",
        clusters=["electronics"],
        services=["structural-design"],
        description="电子结构",
    )
    return {k: make.provider_profile(u).id for k, u in zip("abcd", (a, b, c, d), strict=True)}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def facet(body, name) -> dict[str, int]:
    return {entry["code"]: entry["count"] for entry in body["facets"][name]}


def test_search_everything_with_facets(api, make, catalogue):
    user = make.enterprise()
    response = api.get("/providers", user)
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page", "facets"}
    assert body["total"] == 4 and body["page"] == 1 and body["per_page"] == 20
    assert set(body["items"][0]) == PROVIDER_FIELDS
    assert facet(body, "cluster") == {"nev-ice": 2, "electronics": 2}
    assert facet(body, "region") == {"yongchuan": 2, "jiulongpo": 2}
    assert facet(body, "service") == {"appearance-design": 2, "structural-design": 2}
    for entry in body["facets"]["cluster"]:
        assert set(entry) == {"code", "label", "count"}
    labels = {e["code"]: e["label"] for e in body["facets"]["cluster"]}
    assert labels["nev-ice"] == "智能网联新能源汽车"


def test_search_filters_or_within_and_across(api, make, catalogue):
    user = make.enterprise()
    assert ids(api.get("/providers?region=yongchuan", user)) == {catalogue["a"], catalogue["b"]}
    assert ids(api.get("/providers?region=yongchuan&region=jiulongpo", user)) == set(
        catalogue.values()
    )
    assert ids(api.get("/providers?region=jiulongpo&service=appearance-design", user)) == {
        catalogue["c"]
    }
    assert ids(
        api.get("/providers?service=外观设计&service=structural-design&cluster=electronics", user)
    ) == {catalogue["c"], catalogue["d"]}
    assert ids(api.get("/providers?level=national", user)) == {catalogue["c"]}
    assert ids(api.get("/providers?kind=design-institute", user)) == {catalogue["c"]}


def test_search_facets_count_with_other_filters(api, make, catalogue):
    body = api.get("/providers?cluster=nev-ice", make.enterprise()).get_json()
    assert body["total"] == 2
    assert facet(body, "service") == {"appearance-design": 1, "structural-design": 1}
    assert facet(body, "region") == {"yongchuan": 2}


def test_search_text_and_english_labels(api, make, catalogue):
    user = make.enterprise()
    assert catalogue["c"] in ids(api.get("/providers?q=电子", user))
    body = api.get("/providers", user, lang="en-US,en;q=0.9").get_json()
    labels = {e["code"]: e["label"] for e in body["facets"]["cluster"]}
    assert labels["nev-ice"] == "Intelligent Connected New Energy Vehicles"


def test_search_pagination_and_sort(api, make, catalogue):
    user = make.provider()
    all_ids = set(catalogue.values()) | {make.provider_profile(user).id}
    seen = []
    for page in (1, 2, 3):
        body = api.get(f"/providers?per_page=2&page={page}&sort=newest", user).get_json()
        assert body["total"] == 5 and body["per_page"] == 2 and body["page"] == page
        seen += [item["id"] for item in body["items"]]
    assert sorted(seen) == sorted(all_ids) and len(seen) == 5
    assert seen == sorted(seen, reverse=True)  # newest first: created in id order
    assert api.get("/providers?per_page=2&page=9", user).get_json()["items"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("sort=budget", "sort"),
        ("sort=cheapest", "sort"),
        ("cluster=unknown-cluster", "cluster"),
        ("level=galactic", "level"),
        ("verified=perhaps", "verified"),
        ("clusters=nev-ice", "clusters"),
    ],
)
def test_search_query_validation(api, make, query, field):
    error = error_of(api.get(f"/providers?{query}", make.enterprise()), 422, "validation_error")
    assert field in error["fields"]
    value = query.split("=", 1)[1]
    if field in ("cluster", "level"):
        assert value in error["fields"][field][0]


def test_search_sees_a_write_at_once(api, make):
    admin = make.admin()
    created = api.post(
        "/providers", admin, json=provider_body(description="独一无二的碳纤维无人机外壳设计")
    )
    assert created.status_code == 201
    assert created.get_json()["id"] in ids(api.get("/providers?q=碳纤维", admin))
    pid = created.get_json()["id"]
    api.patch(f"/providers/{pid}", admin, json={"region": "jiulongpo"})
    assert pid in ids(api.get("/providers?region=jiulongpo", admin))


def test_search_lists_each_provider_with_its_own_cases_newest_first(api, make):
    def case(title: str, year: int) -> dict:
        return {"title": title, "description": "", "cluster": "nev-ice", "year": year}

    make.provider(name="甲设计", cases=[case("甲旧案", 2019), case("甲新案", 2024)])
    make.provider(name="乙设计", cases=[case("乙案", 2022)])
    make.provider(name="丙设计")
    body = api.get("/providers", make.enterprise()).get_json()
    shown = {item["name"]: [c["title"] for c in item["cases"]] for item in body["items"]}
    assert shown == {"甲设计": ["甲新案", "甲旧案"], "乙设计": ["乙案"], "丙设计": []}


def test_search_lists_each_provider_as_its_own_page_shows_it(api, make):
    """The search reads plain rows, the provider's page an ORM object: every field agrees,
    for the owner (who sees ``external_id``) and for another reader."""
    owner = make.provider(
        name="全字段设计",
        clusters=["nev-ice", "electronics"],
        services=["appearance-design", "structural-design"],
        description="全字段的碳纤维外壳设计",
        team_size=12,
        price_min=50_000,
        price_max=200_000,
        certifications=["ISO 9001"],
        cases=[{"title": "旧案", "description": "说明", "cluster": "nev-ice", "year": 2020}],
    )
    make.provider(name="少字段设计", description="只有碳纤维")
    admin, reader = make.admin(), make.enterprise()
    provider = db.session.scalar(
        select(Provider).where(Provider.organization_id == owner.organization_id)
    )
    assert api.patch(f"/providers/{provider.id}", admin, json={"external_id": "ref-42"})
    for viewer in (owner, admin, reader):
        items = api.get("/providers?q=碳纤维", viewer).get_json()["items"]
        assert len(items) == 2
        for item in items:
            assert item == api.get(f"/providers/{item['id']}", viewer).get_json()
    found = api.get("/providers?q=碳纤维", reader).get_json()["items"]
    full = next(i for i in found if i["name"] == "全字段设计")
    assert full["external_id"] is None and full["certifications"] == ["ISO 9001"]
    assert full["team_size"] == 12 and full["cases"][0]["title"] == "旧案"
    mine = api.get("/providers?q=碳纤维", owner).get_json()["items"]
    assert next(i for i in mine if i["name"] == "全字段设计")["external_id"] == "ref-42"
