"""Common needs over the API: proposals at a threshold, a project, opting in, providers ranked
for the group, invited, answering and chosen, the outcome; who learns which enterprises."""

from __future__ import annotations

from matchmaker.search_engine import get_search

from .conftest import error_of

HELMETS = [
    ("电动摩托车头盔外观设计", "为电动摩托车配套头盔做外观造型和配色，要求轻量、通风"),
    ("摩托车头盔造型升级", "现有头盔外观老旧，需要重新设计造型和涂装配色，兼顾通风"),
]


def test_from_proposal_to_outcome(api, make):
    admin = make.admin()
    owners = [make.enterprise(name=f"头盔厂{n}") for n in range(2)]
    for owner, (title, text) in zip(owners, HELMETS, strict=True):
        make.demand(owner, title=title, description=text, cluster="motorcycle",
                    services=["appearance-design", "cmf-design"])  # fmt: skip
    designer = make.provider(
        name="摩托车造型设计公司",
        clusters=["motorcycle"],
        services=["appearance-design", "cmf-design"],
        description="专注摩托车及头盔外观造型、配色涂装设计",
    )
    get_search().refresh()

    error_of(api.get("/common-needs/proposals", owners[0]), 403, "forbidden")
    error_of(api.get("/common-needs/proposals?threshold=2", admin), 422, "validation_error")
    proposals = api.get("/common-needs/proposals?threshold=0.85", admin).get_json()
    assert len(proposals["items"]) == 1
    ids = [d["id"] for d in proposals["items"][0]["demands"]]
    created = api.post(
        "/common-needs",
        admin,
        json={
            "demand_ids": ids,
            "title": "头盔外观共性设计",
            "brief": "共同委托",
            "threshold": 0.85,
        },
    )
    assert created.status_code == 201, created.get_json()
    need = created.get_json()
    assert need["joined"] == 0 and [p["status"] for p in need["participants"]] == ["invited"] * 2
    path = f"/common-needs/{need['id']}"
    # before it opts in, an enterprise sees no one taking part, itself included
    assert api.get(path, owners[0]).get_json()["participants"] == []
    invite = api.post(f"{path}/invitations", admin, json={"provider_id": designer.id})
    error_of(invite, 409, "conflict")  # nobody joined yet
    joined = api.post(f"{path}/membership", owners[0], json={"join": True}).get_json()
    assert [p["organization"]["name"] for p in joined["participants"]] == ["头盔厂0"]
    provider_id = designer.organization.provider.id
    ranked = api.get(f"{path}/suggestions", admin).get_json()["items"]
    assert ranked[0]["provider"]["id"] == provider_id
    api.post(f"{path}/invitations", admin, json={"provider_id": provider_id})
    seen = api.get(path, designer).get_json()
    assert seen["participants"] == [] and seen["joined"] == 1  # never who, before chosen
    api.post(f"{path}/answer", designer, json={"interested": True})
    chosen = api.post(f"{path}/choice", admin, json={"provider_id": provider_id}).get_json()
    assert chosen["status"] == "matched"
    assert [
        p["organization"]["name"] for p in api.get(path, designer).get_json()["participants"]
    ] == ["头盔厂0"]
    error_of(api.get(path, make.provider()), 404, "not_found")
    done = api.post(f"{path}/outcome", admin, json={"won": True, "contract_value": 300000})
    assert done.get_json()["status"] == "won"


def test_one_demand_named_twice_is_not_a_group(api, make):
    """[1, 1] passes the two-item minimum, but once repeats are dropped one demand is left:
    a clear 422, and no project (it once ended in a division by zero)."""
    admin = make.admin()
    demand = make.demand(make.enterprise())
    body = {"demand_ids": [demand.id, demand.id], "title": "共性", "brief": "共同委托"}
    refused = api.post("/common-needs", admin, json={**body, "threshold": 1})
    assert "demand_ids" in error_of(refused, 422, "validation_error")["fields"]
    assert api.get("/common-needs", admin).get_json()["items"] == []
