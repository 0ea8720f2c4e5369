"""Accreditation over the API: the round's rubric, an application through the check, the panel
(never an expert in conflict), scores, the decision, and who reads which scores."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.search_engine import get_search
from matchmaker.services import experts, files, providers
from matchmaker.services.accreditation import applications

from .conftest import error_of

ROUND = {
    "title": "2026年度永川区区级工业设计中心认定",
    "year": 2026,
    "criteria": [{"name": "设计团队", "weight": 40}, {"name": "设计成果", "weight": 60}],
    "min_reviewers": 1,
}


@pytest.fixture
def cast(make):
    admin = make.admin()
    applicant = make.provider(name="渝西工业设计有限公司")
    expert = make.expert("王专家", "w@x.cn", admin, bio="汽车外观设计")
    partner = make.expert("李专家", "l@x.cn", admin, bio="汽车外观设计")
    experts.add_conflict(
        db.session,
        admin,
        partner.id,
        {"organization_id": applicant.organization_id, "relation": "partner"},
    )
    db.session.commit()
    get_search().refresh()
    return {"admin": admin, "applicant": applicant, "expert": expert, "partner": partner}


def test_round_application_panel_decision_and_register(api, cast, make, app):
    admin, applicant, expert = cast["admin"], cast["applicant"], cast["expert"]
    closes = (local_today() + dt.timedelta(days=20)).isoformat()
    bad = api.post(
        "/accreditation-rounds",
        admin,
        json={**ROUND, "closes_on": closes, "criteria": [{"name": "设计团队", "weight": 40}]},
    )
    assert "criteria" in error_of(bad, 422, "validation_error")["fields"]
    error_of(
        api.post("/accreditation-rounds", applicant, json={**ROUND, "closes_on": closes}),
        403,
        "forbidden",
    )
    created = api.post("/accreditation-rounds", admin, json={**ROUND, "closes_on": closes})
    assert created.status_code == 201, created.get_json()
    round_ = created.get_json()
    assert [c["code"] for c in round_["criteria"]] == ["c1", "c2"] and round_["open"]
    assert api.get("/accreditation-rounds").get_json()["items"][0]["id"] == round_["id"]

    applied = api.post(
        "/accreditations",
        applicant,
        json={
            "round_id": round_["id"],
            "team_size": 30,
            "designers": 20,
            "investment": 2_000_000,
            "achievements": "近三年完成新能源汽车内外饰设计项目四十余项，获奖多项。",
        },
    )
    assert applied.status_code == 201, applied.get_json()
    application = applied.get_json()
    assert application["status"] == "submitted" and application["level"] == "district"
    accreditation_id = application["id"]
    # another provider and an anonymous caller do not learn it exists
    error_of(api.get(f"/accreditations/{accreditation_id}", make.provider()), 404, "not_found")
    error_of(api.get(f"/accreditations/{accreditation_id}"), 401, "unauthorized")
    # no cases and no files: the check names what is missing
    refused = api.post(f"/accreditations/{accreditation_id}/check", admin, json={"complete": True})
    assert "missing" in error_of(refused, 409, "conflict")["fields"]
    returned = api.post(
        f"/accreditations/{accreditation_id}/check",
        admin,
        json={"complete": False, "missing": ["cases"], "note": "请补充案例和证明材料"},
    )
    assert returned.get_json()["missing"] == ["cases", "files"]
    case = providers.add_case(
        db.session,
        applicant,
        applicant.organization.provider.id,
        {"title": "电动车前脸设计", "description": "前脸改型", "year": 2025},
    )
    record = applications.read(db.session, applicant, accreditation_id)
    applications.add_files(
        db.session,
        applicant,
        record.id,
        [files.Upload("证明.pdf", "pdf", b"%PDF-1.4\n")],
        files.Storage(app.config["UPLOAD_FOLDER"], app.config["UPLOAD_QUOTA_BYTES"]),
    )
    db.session.commit()
    resent = api.post(
        f"/accreditations/{accreditation_id}/resubmit", applicant, json={"case_ids": [case.id]}
    )
    assert resent.status_code == 200, resent.get_json()
    assert resent.get_json()["status"] == "submitted" and resent.get_json()["team_size"] == 30
    accepted = api.post(f"/accreditations/{accreditation_id}/check", admin, json={"complete": True})
    assert accepted.get_json()["status"] == "in_review"

    suggested = api.get(f"/accreditations/{accreditation_id}/suggestions", admin).get_json()
    assert [e["expert"]["name"] for e in suggested["experts"]] == ["王专家"]
    conflict = api.post(
        f"/accreditations/{accreditation_id}/reviewers",
        admin,
        json={"expert_id": cast["partner"].id},
    )
    assert "expert_id" in error_of(conflict, 409, "conflict")["fields"]
    seated = api.post(
        f"/accreditations/{accreditation_id}/reviewers", admin, json={"expert_id": expert.id}
    )
    assert seated.status_code == 200
    incomplete = api.put(
        f"/accreditations/{accreditation_id}/scores", expert.user, json={"scores": {"c1": 8}}
    )
    assert "scores.c2" in error_of(incomplete, 422, "validation_error")["fields"]
    error_of(
        api.put(f"/accreditations/{accreditation_id}/scores", applicant, json={"scores": {}}),
        403,
        "forbidden",
    )
    scored = api.put(
        f"/accreditations/{accreditation_id}/scores",
        expert.user,
        json={"scores": {"c1": 8, "c2": 9}, "comment": "团队扎实"},
    ).get_json()
    assert scored["reviews"][0]["total"] == 86.0  # 40×8 + 60×9 = 860 → 86.0
    assert scored["panel"] is None  # a reviewer reads its own scores only
    mine = api.get(f"/accreditations/{accreditation_id}", applicant).get_json()
    assert mine["reviews"] == [] and mine["panel"] is None  # not before the decision
    error_of(
        api.post(f"/accreditations/{accreditation_id}/decision", admin, json={"approve": False}),
        422,
        "validation_error",
    )
    decided = api.post(
        f"/accreditations/{accreditation_id}/decision", admin, json={"approve": True}
    ).get_json()
    assert decided["status"] == "approved" and decided["panel"]["score"] == 86.0
    assert decided["recognition"]["level"] == "district"
    mine = api.get(f"/accreditations/{accreditation_id}", applicant).get_json()
    assert mine["reviews"] == [] and mine["panel"]["score"] == 86.0
    provider = api.get(f"/providers/{applicant.organization.provider.id}", admin).get_json()
    assert provider["level"] == "district"

    register = api.get("/recognitions?level=district&region=永川区").get_json()["items"]
    assert [r["organization"]["name"] for r in register] == ["渝西工业设计有限公司"]
    assert api.get("/recognitions?region=yuzhong").get_json()["items"] == []
    error_of(api.get("/recognitions?level=galactic"), 422, "validation_error")
