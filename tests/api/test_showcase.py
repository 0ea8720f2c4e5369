"""The showcase over the API: the year's call, an entry from a won deal, the panel (never an
expert in conflict), scores, shortlist, winners, and the public showcase."""

from __future__ import annotations

import datetime as dt

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.search_engine import get_search
from matchmaker.services import experts

from .conftest import error_of

YEAR = {
    "year": 2026,
    "title": "2026“重庆好设计”评选",
    "criteria": [{"name": "创新性", "weight": 50}, {"name": "市场成效", "weight": 50}],
    "min_reviewers": 1,
}


def test_call_entry_panel_winners_and_the_public_showcase(api, make):
    admin = make.admin()
    designer = make.provider(name="渝西工业设计有限公司")
    owner = make.enterprise(name="宗申三轮车有限公司", region="jiangjin")
    demand = make.demand(owner, cluster="motorcycle", region="jiangjin")
    interest = make.won_deal(designer, owner, demand)
    home = {"clusters": ["motorcycle"], "region": "jiangjin"}
    expert = make.expert("王专家", "w@x.cn", admin, **home)
    partner = make.expert("李专家", "l@x.cn", admin, **home)
    experts.add_conflict(
        db.session,
        admin,
        partner.id,
        {"organization_id": designer.organization_id, "relation": "employer"},
    )
    db.session.commit()
    get_search().refresh()

    closes = (local_today() + dt.timedelta(days=20)).isoformat()
    year = api.post("/showcase-years", admin, json={**YEAR, "closes_on": closes})
    assert year.status_code == 201, year.get_json()
    year_id = year.get_json()["id"]
    again = api.post("/showcase-years", admin, json={**YEAR, "closes_on": closes})
    assert "year" in error_of(again, 422, "validation_error")["fields"]
    assert api.get("/showcase-years").get_json()["items"][0]["open"] is True

    entry = {
        "year_id": year_id,
        "source": "deal",
        "interest_id": interest.id,
        "title": "电动三轮车整车造型",
        "services": ["appearance-design"],
        "problem": "老款车型外观陈旧",
        "design": "家族化前脸和货箱",
        "sales_change_pct": 35,
    }
    error_of(api.post("/showcase-entries", owner, json=entry), 403, "forbidden")
    bad = api.post("/showcase-entries", designer, json={**entry, "sales_change_pct": -500})
    assert "sales_change_pct" in error_of(bad, 422, "validation_error")["fields"]
    created = api.post("/showcase-entries", designer, json=entry)
    assert created.status_code == 201, created.get_json()
    entry_id = created.get_json()["id"]
    assert created.get_json()["region"] == "jiangjin"
    error_of(api.get(f"/showcase-entries/{entry_id}", make.provider()), 404, "not_found")

    suggested = api.get(f"/showcase-entries/{entry_id}/suggestions", admin).get_json()
    assert [e["expert"]["name"] for e in suggested["experts"]] == ["王专家"]
    conflict = api.post(
        f"/showcase-entries/{entry_id}/reviewers", admin, json={"expert_id": partner.id}
    )
    assert "expert_id" in error_of(conflict, 409, "conflict")["fields"]
    for nobody in ("someone", 1.5, None, -1):
        bad = api.post(f"/showcase-entries/{entry_id}/reviewers", admin, json={"expert_id": nobody})
        assert "expert_id" in error_of(bad, 422, "validation_error")["fields"]
    # true is not expert #1 (nor false #0): refused as not a whole number, like text
    as_text = api.post(f"/showcase-entries/{entry_id}/reviewers", admin, json={"expert_id": "x"})
    for flag in (True, False):
        bad = api.post(f"/showcase-entries/{entry_id}/reviewers", admin, json={"expert_id": flag})
        assert (
            error_of(bad, 422, "validation_error")["fields"]
            == as_text.get_json()["error"]["fields"]
        )
    api.post(f"/showcase-entries/{entry_id}/reviewers", admin, json={"expert_id": expert.id})
    scored = api.put(
        f"/showcase-entries/{entry_id}/scores", expert.user, json={"scores": {"c1": 9, "c2": 7}}
    )
    assert scored.get_json()["reviews"][0]["total"] == 80.0
    ranking = api.get(f"/showcase-years/{year_id}/ranking", admin).get_json()
    assert ranking["items"][0]["panel"]["score"] == 80.0
    early = api.post(f"/showcase-years/{year_id}/winners", admin, json={"entry_ids": [entry_id]})
    assert "entry_ids" in error_of(early, 422, "validation_error")["fields"]
    api.post(f"/showcase-years/{year_id}/shortlist", admin, json={"entry_ids": [entry_id]})
    won = api.post(f"/showcase-years/{year_id}/winners", admin, json={"entry_ids": [entry_id]})
    assert won.get_json()["items"][0]["status"] == "winner"

    public = api.get("/showcase?cluster=motorcycle&region=jiangjin").get_json()["items"]
    assert [e["title"] for e in public] == ["电动三轮车整车造型"]
    assert public[0]["reviews"] == [] and public[0]["panel"] is None
    assert api.get("/showcase?service=structural-design").get_json()["items"] == []
    error_of(api.get("/showcase?cluster=atlantis"), 422, "validation_error")
