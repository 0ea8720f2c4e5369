"""Demand rules: no deadline in the past, contact details flagged before submission and marked
for the reviewer, the district defaulting to the organisation's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Demand
from matchmaker.services import demands
from matchmaker.services.errors import ValidationFailed
from tests.web.pages import errors_of, login, page


def form(**fields) -> dict:
    return {
        "title": "电动摩托车外观设计",
        "description": "为新款电动摩托车设计外观造型与配色方案",
        "cluster": "motorcycle",
        "services": ["appearance-design"],
        "region": "yongchuan",
        "deadline": "2030-06-30",
        "action": "submit",
        **fields,
    }


def test_a_deadline_in_the_past_is_refused(client, auth, make):
    owner = make.enterprise()
    login(auth, owner)
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = client.post("/demands/new", data=form(deadline=yesterday))
    assert response.status_code == 422
    assert errors_of(page(response), "deadline")[0].startswith("截止日期不能早于今天")
    assert db.session.scalar(select(func.count(Demand.id))) == 0
    with pytest.raises(ValidationFailed) as caught:
        body = {k: v for k, v in form(deadline=yesterday).items() if k != "action"}
        demands.create_demand(db.session, owner, body)
    assert set(caught.value.fields) == {"deadline"}


def test_an_outlived_deadline_does_not_block_other_edits(make):
    owner = make.enterprise()
    demand = make.demand(owner, status="draft")
    demand.deadline = dt.date.today() - dt.timedelta(days=3)
    db.session.commit()
    demands.update_demand(db.session, owner, demand.id, {"title": "新标题"})
    assert demand.title == "新标题"


def test_contact_details_are_flagged_before_submission_then_marked_for_review(client, auth, make):
    owner = make.enterprise()
    login(auth, owner)
    text = "详情请联系王经理 13812345678 或 wang@example.cn"
    flagged = client.post("/demands/new", data=form(description=text))
    assert flagged.status_code == 422
    html = page(flagged)
    assert errors_of(html, "description")[0].startswith(
        "包含联系方式：13812345678、wang@example.cn。"
    )
    assert "我确认保留这些联系方式并提交" in html
    assert db.session.scalar(select(func.count(Demand.id))) == 0
    # a draft is saved as written
    assert (
        client.post("/demands/new", data=form(description=text, action="draft")).status_code == 302
    )
    kept = client.post("/demands/new", data=form(description=text, keep_contacts="y"))
    assert kept.status_code == 302
    auth.logout()
    login(auth, make.admin())
    review = page(client.get("/admin/review"))
    assert '<mark class="contact-detail">13812345678</mark>' in review
    assert "标题或描述中含有联系方式" in review


def test_the_district_defaults_to_the_organisations(client, auth, make):
    login(auth, make.enterprise(region="jiulongpo"))
    html = page(client.get("/demands/new"))
    assert '<option selected value="jiulongpo">' in html or 'value="jiulongpo" selected' in html
