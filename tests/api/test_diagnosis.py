"""Diagnosis requests over the API: roles (an expert sees only assignments), conflicts,
the report and a recommendation turned into a draft demand."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.china_time import to_local
from matchmaker.extensions import db
from matchmaker.models import utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import experts

from .conftest import demand_body, error_of

REQUEST = {
    "product_line": "小型农机",
    "problems": "操作手柄不顺手，外壳易开裂",
    "cluster": "smart-equipment",
    "services": ["structural-design"],
}


@pytest.fixture
def cast(make):
    admin = make.admin()
    factory = make.enterprise(name="荣昌农机有限公司")
    body = {
        "clusters": ["smart-equipment"],
        "services": ["structural-design", "appearance-design"],
        "professional_title": "senior",
        "years_experience": 20,
        "region": "yongchuan",
        "bio": "农机结构与人机设计",
    }
    expert = make.expert("王专家", "wang@x.cn", by=admin, **body)
    conflicted = make.expert("冲突专家", "cf@x.cn", by=admin, **body)
    experts.add_conflict(
        db.session,
        admin,
        conflicted.id,
        {"organization_id": factory.organization_id, "relation": "employer"},
    )
    db.session.commit()
    get_search().refresh()
    return {"admin": admin, "factory": factory, "expert": expert, "conflicted": conflicted}


def test_request_assign_schedule_report_and_draft_demand(api, cast, make):
    admin, factory, expert = cast["admin"], cast["factory"], cast["expert"]
    created = api.post("/diagnosis-requests", factory, json=REQUEST)
    assert created.status_code == 201, created.get_json()
    request_id = created.get_json()["id"]
    assert created.get_json()["status"] == "requested"

    suggestions = api.get(f"/diagnosis-requests/{request_id}/suggestions", admin).get_json()
    assert [e["expert"]["id"] for e in suggestions["experts"]] == [expert.id]
    assert {"speciality", "cluster"} <= {r["code"] for r in suggestions["experts"][0]["reasons"]}
    refused = api.post(
        f"/diagnosis-requests/{request_id}/assignments",
        admin,
        json={"expert_id": cast["conflicted"].id},
    )
    assert "expert_id" in error_of(refused, 409, "conflict")["fields"]
    error_of(
        api.post(f"/diagnosis-requests/{request_id}/assignments", admin, json={}),
        422,
        "validation_error",
    )
    assigned = api.post(
        f"/diagnosis-requests/{request_id}/assignments", admin, json={"expert_id": expert.id}
    )
    assert [e["id"] for e in assigned.get_json()["experts"]] == [expert.id]

    when = (to_local(utcnow()) + dt.timedelta(days=3)).replace(microsecond=0)
    visit = api.post(
        f"/diagnosis-requests/{request_id}/visit",
        admin,
        json={"visit_at": when.isoformat(), "place": "荣昌区工业园"},
    )
    assert visit.get_json()["status"] == "scheduled"

    report = {
        "summary": "手柄人机不佳，外壳材料选型不当",
        "findings": "手柄直径 48 mm 偏大；外壳 ABS 在低温下开裂。",
        "recommendations": [
            {"service": "structural-design", "title": "外壳结构与材料改进", "priority": "high"}
        ],
        "submit": True,
    }
    error_of(
        api.put(f"/diagnosis-requests/{request_id}/report", factory, json=report), 403, "forbidden"
    )
    filed = api.put(f"/diagnosis-requests/{request_id}/report", expert.user, json=report)
    assert filed.status_code == 200 and filed.get_json()["status"] == "reported"
    recommendation = filed.get_json()["report"]["recommendations"][0]

    drafted = api.post(f"/diagnosis-recommendations/{recommendation['id']}/demand", factory)
    assert drafted.status_code == 201
    demand = drafted.get_json()
    assert demand["status"] == "draft" and demand["title"] == "外壳结构与材料改进"
    again = api.post(f"/diagnosis-recommendations/{recommendation['id']}/demand", factory)
    assert error_of(again, 409, "conflict")["fields"]["demand_id"] == [str(demand["id"])]
    shown = api.get(f"/diagnosis-requests/{request_id}", factory).get_json()
    assert shown["report"]["recommendations"][0]["demand_id"] == demand["id"]


def test_an_expert_sees_only_assignments(api, cast, make):
    factory, expert = cast["factory"], cast["expert"]
    mine = api.post("/diagnosis-requests", factory, json=REQUEST).get_json()["id"]
    other = api.post("/diagnosis-requests", factory, json=REQUEST).get_json()["id"]
    api.post(
        f"/diagnosis-requests/{mine}/assignments", cast["admin"], json={"expert_id": expert.id}
    )
    listed = api.get("/diagnosis-requests", expert.user).get_json()["items"]
    assert [r["id"] for r in listed] == [mine]
    error_of(api.get(f"/diagnosis-requests/{other}", expert.user), 404, "not_found")
    assert api.get(f"/diagnosis-requests/{mine}", expert.user).status_code == 200
    # Nothing else: demands, providers' leads, talent needs, other experts' requests.
    owner = make.enterprise()
    demand = make.demand(owner)
    error_of(api.get(f"/demands/{demand.id}", expert.user), 404, "not_found")
    error_of(api.get("/demands", expert.user), 403, "forbidden")
    error_of(api.get("/talent-needs", expert.user), 403, "forbidden")
    error_of(api.post("/demands", expert.user, json=demand_body()), 403, "forbidden")
    error_of(api.post("/diagnosis-requests", expert.user, json=REQUEST), 403, "forbidden")
    error_of(api.get(f"/diagnosis-requests/{mine}/suggestions", expert.user), 403, "forbidden")
