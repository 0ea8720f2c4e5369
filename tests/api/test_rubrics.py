"""The rubric library over the API: administrators only, a round opened with a rubric, a
revision in place before any score and a new version after, the scale in the criteria."""

from __future__ import annotations

import datetime as dt

from matchmaker.china_time import today as local_today

from .conftest import error_of

RUBRIC = {
    "name": "好设计评分标准",
    "scale": 5,
    "criteria": [{"name": "创新性", "weight": 50}, {"name": "市场成效", "weight": 50}],
}


def test_the_rubric_library(api, make):
    admin, provider = make.admin(), make.provider()
    error_of(api.get("/rubrics", provider), 403, "forbidden")
    error_of(api.post("/rubrics", provider, json=RUBRIC), 403, "forbidden")
    bad = api.post("/rubrics", admin, json={**RUBRIC, "criteria": [{"name": "x", "weight": 5}]})
    assert "criteria" in error_of(bad, 422, "validation_error")["fields"]
    created = api.post("/rubrics", admin, json=RUBRIC)
    assert created.status_code == 201, created.get_json()
    rubric = created.get_json()
    assert rubric["version"] == 1 and rubric["current"] and not rubric["scored"]
    assert [c["scale"] for c in rubric["criteria"]] == [5, 5]

    closes = (local_today() + dt.timedelta(days=20)).isoformat()
    year = api.post(
        "/showcase-years",
        admin,
        json={"year": 2026, "title": "2026评选", "rubric_id": rubric["id"], "closes_on": closes},
    )
    assert year.status_code == 201, year.get_json()
    assert year.get_json()["rubric_id"] == rubric["id"]
    assert [c["name"] for c in year.get_json()["criteria"]] == ["创新性", "市场成效"]
    assert api.get(f"/rubrics/{rubric['id']}", admin).get_json()["used_by"] == 1

    revised = api.put(
        f"/rubrics/{rubric['id']}",
        admin,
        json={
            **RUBRIC,
            "criteria": [{"name": "创新性", "weight": 60}, {"name": "成效", "weight": 40}],
        },
    ).get_json()
    assert revised["id"] == rubric["id"] and revised["version"] == 1  # nothing scored yet
    year_now = api.get("/showcase-years").get_json()["items"][0]
    assert [c["weight"] for c in year_now["criteria"]] == [60, 40]
    error_of(api.get("/rubrics/999", admin), 404, "not_found")
    assert [r["id"] for r in api.get("/rubrics", admin).get_json()["items"]] == [rubric["id"]]
