"""The rubric library's pages: administrators only, a rubric defined with its scale, chosen
when a round opens, revised in place until scored; bad input shown on the form."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import AccreditationRound, Rubric
from tests.web.pages import errors_of, login, page


def test_the_rubric_library_through_the_pages(client, auth, make):
    login(auth, make.provider())
    assert client.get("/rubrics").status_code == 403
    auth.logout()
    login(auth, make.admin())
    assert "评分标准库还是空的" in page(client.get("/rubrics"))
    bad = client.post(
        "/rubrics/new", data={"name": "认定标准", "scale": "5", "criteria": "设计团队 40"}
    )
    assert bad.status_code == 422 and errors_of(page(bad), "criteria")
    assert db.session.scalar(select(Rubric)) is None
    made = client.post(
        "/rubrics/new",
        data={"name": "认定标准", "scale": "5", "criteria": "设计团队 40\n设计成果 60"},
    )
    assert made.status_code == 302
    rubric = db.session.scalar(select(Rubric))
    listed = page(client.get("/rubrics"))
    assert "认定标准" in listed and "每项 0–5 分" in listed

    form = page(client.get("/accreditation/rounds/new"))
    assert "认定标准（第 1 版，每项 0–5 分）" in form
    opened = client.post(
        "/accreditation/rounds/new",
        data={"title": "2027年度认定", "year": "2027", "level": "district",
              "rubric_id": str(rubric.id), "criteria": "", "pass_mark": "70",
              "min_reviewers": "2", "valid_years": "3",
              "closes_on": (local_today() + dt.timedelta(days=20)).isoformat()},
    )  # fmt: skip
    assert opened.status_code == 302, page(opened)
    round_ = db.session.scalar(select(AccreditationRound))
    assert round_.rubric_id == rubric.id and round_.criteria[0]["scale"] == 5

    edit = page(client.get(f"/rubrics/{rubric.id}/edit"))
    assert "还没有专家按这一版本评分" in edit and "设计团队 40" in edit
    client.post(
        f"/rubrics/{rubric.id}/edit",
        data={"name": "认定标准", "scale": "10", "criteria": "设计团队 50\n设计成果 50"},
    )
    db.session.expire_all()
    assert [c["weight"] for c in round_.criteria] == [50, 50]  # not scored: changed in place
    assert db.session.scalar(select(Rubric).where(Rubric.version == 2)) is None
