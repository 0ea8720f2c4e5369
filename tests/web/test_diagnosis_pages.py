"""Diagnostic visit pages: request, assign, schedule, report, draft demand; each role's view."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from matchmaker.china_time import to_local
from matchmaker.extensions import db
from matchmaker.models import DiagnosisRequest, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services.diagnosis import arrangements, reports, requests
from tests.web.pages import CONFIRMED, errors_of, login, page


def _expert(make, admin, name="郑专家", email="zheng@x.cn"):
    expert = make.expert(name, email, admin, clusters=["motorcycle"], bio="摩托车造型评审")
    get_search().refresh()
    return expert


def test_the_whole_visit_through_the_pages(client, auth, make):
    admin, factory = make.admin(), make.enterprise(name="璧山摩托车有限公司")
    expert = _expert(make, admin)
    login(auth, factory)
    bad = client.post("/diagnosis/new", data={"product_line": "", "date_1": "2001-01-01"})
    assert bad.status_code == 422
    for field in ("product_line", "problems", "cluster", "date_1"):
        assert errors_of(page(bad), field), field
    made = client.post(
        "/diagnosis/new",
        data={"product_line": "踏板摩托车", "problems": "造型老气", "cluster": "motorcycle"},
    )
    assert made.status_code == 302
    request = db.session.scalar(select(DiagnosisRequest))

    auth.logout()
    login(auth, admin)
    detail = page(client.get(f"/diagnosis/{request.id}"))
    assert "郑专家" in detail and "推荐专家" in detail
    assert (
        client.post(f"/diagnosis/{request.id}/assign", data={"expert_id": expert.id}).status_code
        == 302
    )
    when = (to_local(utcnow()) + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    past = client.post(
        f"/diagnosis/{request.id}/visit", data={"visit_at": "2001-01-01T09:00", "place": "厂区"}
    )
    assert past.status_code == 422 and errors_of(page(past), "visit_at")
    scheduled = client.post(
        f"/diagnosis/{request.id}/visit", data={"visit_at": when, "place": "璧山工业园"}
    )
    assert scheduled.status_code == 302
    ics = client.get(f"/diagnosis/{request.id}/visit.ics")
    assert ics.mimetype == "text/calendar" and b"LOCATION:" in ics.data

    auth.logout()
    login(auth, expert.user)
    assert "踏板摩托车" in page(client.get("/expert"))
    report = {
        "summary": "造型需年轻化",
        "findings": "前脸线条陈旧",
        "recommendations-0-service": "appearance-design",
        "recommendations-0-title": "整车造型年轻化",
        "recommendations-0-priority": "high",
        "recommendations-1-title": "",  # a blank row is no recommendation
    }
    missing = client.post(
        f"/diagnosis/{request.id}/report",
        data={**report, "recommendations-0-service": "", "action": "draft"},
    )
    assert missing.status_code == 422 and errors_of(page(missing), "recommendations-0-service")
    asked = client.post(f"/diagnosis/{request.id}/report", data={**report, "action": "submit"})
    assert asked.status_code == 200 and "提交报告" in page(asked)  # asks first
    filed = client.post(
        f"/diagnosis/{request.id}/report", data={**report, "action": "submit", **CONFIRMED}
    )
    assert filed.status_code == 302 and request.status == "reported"

    auth.logout()
    login(auth, factory)
    shown = page(client.get(f"/diagnosis/{request.id}"))
    assert "整车造型年轻化" in shown and "转为需求草稿" in shown
    recommendation = request.report.recommendations[0]
    drafted = client.post(f"/diagnosis/recommendations/{recommendation.id}/demand")
    assert drafted.status_code == 302 and "/demands/" in drafted.headers["Location"]
    assert "已转为需求" in page(client.get(f"/diagnosis/{request.id}"))


def test_others_do_not_see_a_request(client, auth, make):
    admin, factory = make.admin(), make.enterprise()
    other_expert = _expert(make, admin, "旁观专家", "pang@x.cn")
    login(auth, factory)
    client.post(
        "/diagnosis/new",
        data={"product_line": "电动车", "problems": "外观", "cluster": "motorcycle"},
    )
    request = db.session.scalar(select(DiagnosisRequest))
    for outsider in (make.enterprise(), other_expert.user, make.designer()):
        auth.logout()
        login(auth, outsider)
        assert client.get(f"/diagnosis/{request.id}").status_code == 404


def _recommendation_rows(html: str) -> int:
    return html.count('class="recommendation-row"')


def test_a_draft_keeps_every_recommendation_and_the_form_grows_on_request(client, auth, make):
    admin, factory = make.admin(), make.enterprise(name="璧山摩托车有限公司")
    expert = _expert(make, admin)
    visit = requests.create_request(
        db.session,
        factory,
        {"product_line": "踏板摩托车", "problems": "造型老气", "cluster": "motorcycle"},
    )
    arrangements.assign_expert(db.session, admin, visit.id, expert.id)
    when = to_local(utcnow()) + dt.timedelta(days=3)
    arrangements.schedule(
        db.session, admin, visit.id, {"visit_at": when.isoformat(), "place": "厂"}
    )
    titles = [f"第{n}项建议标题" for n in range(1, 7)]  # more than a new report's rows
    draft = {"service": "appearance-design", "priority": "medium"}
    reports.file_report(
        db.session,
        expert.user,
        visit.id,
        {
            "summary": "需改型",
            "findings": "造型陈旧",
            "recommendations": [{**draft, "title": title} for title in titles],
        },
    )
    db.session.commit()

    login(auth, expert.user)
    shown = page(client.get(f"/diagnosis/{visit.id}"))
    assert all(title in shown for title in titles)
    assert _recommendation_rows(shown) == len(titles) + 2  # its own rows and two blank ones

    form = {"summary": "需改型", "findings": "造型陈旧", "action": "add_row"}
    for index, title in enumerate(titles):
        form |= {f"recommendations-{index}-title": title, f"recommendations-{index}-service": ""}
    grown = client.post(f"/diagnosis/{visit.id}/report", data=form)
    assert grown.status_code == 200 and _recommendation_rows(page(grown)) == len(titles) + 1
    db.session.expire_all()
    saved = db.session.get(DiagnosisRequest, visit.id).report.recommendations
    assert [r.service for r in saved] == ["appearance-design"] * len(titles)  # nothing saved
