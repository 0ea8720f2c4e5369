"""Showcase pages: a year opened, an achievement submitted with before/after images, scored,
shortlisted, the winners announced after confirmation; the public showcase and the profile."""

from __future__ import annotations

import datetime as dt
import io

from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import ShowcaseEntry, ShowcaseYear
from matchmaker.search_engine import get_search
from tests.web.pages import CONFIRMED, errors_of, login, page

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_the_whole_selection_through_the_pages(client, auth, make):
    admin = make.admin()
    designer = make.provider(name="渝西工业设计有限公司")
    owner = make.enterprise(name="宗申三轮车有限公司", region="jiangjin")
    demand = make.demand(owner, title="电动三轮车外观", cluster="motorcycle", region="jiangjin")
    interest = make.won_deal(designer, owner, demand)
    expert = make.expert(
        "郑专家", "zheng@x.cn", by=admin, clusters=["motorcycle"], region="jiangjin"
    )
    get_search().refresh()

    login(auth, admin)
    form = {
        "year": "2026",
        "title": "2026“重庆好设计”评选",
        "criteria": "创新性 50\n市场成效 40",
        "min_reviewers": "1",
        "closes_on": (local_today() + dt.timedelta(days=20)).isoformat(),
    }
    bad = client.post("/showcase/years/new", data=form)
    assert bad.status_code == 422 and errors_of(page(bad), "criteria")
    made = client.post("/showcase/years/new", data={**form, "criteria": "创新性 50\n市场成效 50"})
    assert made.status_code == 302
    year = db.session.scalar(select(ShowcaseYear))
    auth.logout()

    login(auth, designer)
    assert year.title in page(client.get("/showcase/entries"))
    entry_form = {
        "source": f"deal:{interest.id}",
        "title": "电动三轮车整车造型",
        "services": ["appearance-design"],
        "problem": "老款车型外观陈旧，经销商反映难卖",
        "design": "家族化前脸和货箱",
        "results": "销量提升",
        "sales_change_pct": "+35",
        "cost_change_pct": "-12",
    }
    no_image = client.post(f"/showcase/submit?year={year.id}", data=entry_form)
    assert no_image.status_code == 422 and errors_of(page(no_image), "after")
    assert db.session.scalar(select(ShowcaseEntry)) is None  # nothing was kept
    sent = client.post(
        f"/showcase/submit?year={year.id}",
        data={
            **entry_form,
            "before": (io.BytesIO(PNG), "旧款.png"),
            "after": (io.BytesIO(PNG), "新款.png"),
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302, page(sent)
    entry = db.session.scalar(select(ShowcaseEntry))
    assert entry.sales_change_pct == 35 and entry.cost_change_pct == -12
    assert sorted(a.purpose for a in entry.images) == ["after", "before"]
    auth.logout()

    assert client.get(f"/showcase/{entry.id}").status_code == 404  # not public yet

    login(auth, admin)
    assert "郑专家" in page(client.get(f"/showcase/{entry.id}"))
    client.post(f"/showcase/{entry.id}/reviewers", data={"expert_id": expert.id})
    auth.logout()
    login(auth, expert.user)
    wrong = client.post(f"/showcase/{entry.id}/scores", data={"score_c1": "9"})
    assert wrong.status_code == 422 and errors_of(page(wrong), "score_c2")
    assert (
        client.post(
            f"/showcase/{entry.id}/scores", data={"score_c1": "9", "score_c2": "8"}
        ).status_code
        == 302
    )
    auth.logout()

    login(auth, admin)
    ranking = page(client.get(f"/showcase/years/{year.id}"))
    assert "85.0" in ranking
    picked = {"entry_ids": [str(entry.id)]}
    assert client.post(f"/showcase/years/{year.id}/shortlist", data=picked).status_code == 302
    asked = client.post(f"/showcase/years/{year.id}/winners", data=picked)
    assert asked.status_code == 200 and "公布获奖作品" in page(asked)
    assert (
        client.post(f"/showcase/years/{year.id}/winners", data={**picked, **CONFIRMED}).status_code
        == 302
    )
    auth.logout()

    gallery = page(client.get("/showcase?cluster=motorcycle"))
    assert "电动三轮车整车造型" in gallery
    assert "电动三轮车整车造型" not in page(client.get("/showcase?region=yongchuan"))
    shown = page(client.get(f"/showcase/{entry.id}"))
    assert "宗申" not in shown  # the enterprise behind the deal is never named
    image = entry.images[0]
    with client.get(f"/showcase/{entry.id}/images/{image.id}") as response:
        assert response.data == PNG
    profile = page(client.get(f"/providers/{designer.organization.provider.id}"))
    assert "2026 重庆好设计" in profile
