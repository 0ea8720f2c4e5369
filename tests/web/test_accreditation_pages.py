"""Accreditation pages: a round with its rubric, an application with files, the check, the
panel, scores, the confirmed decision, the badge on the profile and the public register."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import Accreditation, AccreditationRound
from matchmaker.search_engine import get_search
from matchmaker.services import providers
from tests.web.pages import CONFIRMED, errors_of, login, page

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_whole_accreditation_through_the_pages(client, auth, make):
    admin = make.admin()
    applicant = make.provider(name="渝西工业设计有限公司")
    case = providers.add_case(
        db.session,
        applicant,
        applicant.organization.provider.id,
        {"title": "电动车前脸设计", "description": "前脸改型", "year": 2025},
    )
    db.session.commit()
    expert = make.expert("郑专家", "zheng@x.cn", admin, bio="汽车造型评审")
    get_search().refresh()
    closes = (local_today() + dt.timedelta(days=30)).isoformat()

    login(auth, admin)
    form = {
        "title": "2026年度永川区区级工业设计中心认定",
        "year": "2026",
        "level": "district",
        "criteria": "设计团队 40\n设计成果 50",
        "pass_mark": "70",
        "min_reviewers": "1",
        "valid_years": "3",
        "closes_on": closes,
    }
    bad = client.post("/accreditation/rounds/new", data=form)
    assert bad.status_code == 422 and "90" in errors_of(page(bad), "criteria")[0]
    assert (
        client.post(
            "/accreditation/rounds/new", data={**form, "criteria": "设计团队 40\n设计成果 60"}
        ).status_code
        == 302
    )
    round_ = db.session.scalar(select(AccreditationRound))
    auth.logout()

    login(auth, applicant)
    assert round_.title in page(client.get("/accreditation"))
    empty = client.post(f"/accreditation/new?round={round_.id}", data={"investment": "很多"})
    assert empty.status_code == 422 and errors_of(page(empty), "investment")
    made = client.post(
        f"/accreditation/new?round={round_.id}",
        data={
            "team_size": "30",
            "designers": "20",
            "investment": "2000000",
            "achievements": "近三年完成新能源汽车内外饰设计项目四十余项，获奖多项。",
            "case_ids": [str(case.id)],
            "files": (io.BytesIO(PDF), "研发投入审计报告.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 302, page(made)
    item = db.session.scalar(select(Accreditation))
    assert [a.filename for a in item.attachments] == ["研发投入审计报告.pdf"]
    auth.logout()

    # someone else does not learn it exists
    login(auth, make.provider())
    assert client.get(f"/accreditation/{item.id}").status_code == 404
    auth.logout()

    login(auth, admin)
    detail = page(client.get(f"/accreditation/{item.id}"))
    assert "必需的材料都已提交" in detail and "研发投入审计报告.pdf" in detail
    assert (
        client.post(f"/accreditation/{item.id}/check", data={"action": "complete"}).status_code
        == 302
    )
    detail = page(client.get(f"/accreditation/{item.id}"))
    assert "郑专家" in detail and "分派评审专家" in detail
    seated = client.post(f"/accreditation/{item.id}/reviewers", data={"expert_id": expert.id})
    assert seated.status_code == 302
    auth.logout()

    login(auth, expert.user)
    assert "渝西工业设计有限公司" in page(client.get("/expert"))
    wrong = client.post(
        f"/accreditation/{item.id}/scores", data={"score_c1": "8", "score_c2": "12"}
    )
    assert wrong.status_code == 422 and errors_of(page(wrong), "score_c2")
    scored = client.post(
        f"/accreditation/{item.id}/scores", data={"score_c1": "8", "score_c2": "9", "comment": "好"}
    )
    assert scored.status_code == 302
    auth.logout()

    login(auth, admin)
    asked = client.post(f"/accreditation/{item.id}/decision", data={"decision": "approve"})
    assert asked.status_code == 200 and "予以认定" in page(asked)
    db.session.refresh(item)
    assert item.status == "in_review"  # nothing happens until confirmed
    decided = client.post(
        f"/accreditation/{item.id}/decision", data={"decision": "approve", **CONFIRMED}
    )
    assert decided.status_code == 302
    auth.logout()

    profile = page(client.get(f"/providers/{applicant.organization.provider.id}"))
    assert "区县级工业设计中心" in profile and "有效期至" in profile
    register = page(client.get("/centres?level=district&region=yongchuan"))
    assert "渝西工业设计有限公司" in register
    assert "渝西工业设计有限公司" not in page(client.get("/centres?region=yuzhong"))
    assert client.get("/centres?level=<script>").status_code == 200
