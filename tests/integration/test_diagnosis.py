"""Diagnostic visits: request, assignment (never an expert in conflict), schedule with a
calendar file, the expert's report, and each recommendation as a draft demand in one click."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import select

from matchmaker.china_time import to_local
from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, DemandStatus, Notification, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import experts
from matchmaker.services.diagnosis import arrangements, reports, requests
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit

# The experts of these visits (made with ``make.expert``): machine tools in Yongchuan.
EXPERT = {
    "clusters": ["smart-equipment"],
    "services": ["appearance-design", "structural-design"],
    "professional_title": "senior",
    "years_experience": 18,
    "bio": "数控机床外观与钣金结构设计诊断",
}


REPORT = {
    "summary": "外观陈旧、钣金件过多，建议改型",
    "findings": "防护罩由 14 块钣金拼接，装配工时长；操作面板高度不合人机。",
    "recommendations": [
        {
            "service": "structural-design",
            "title": "防护罩钣金结构优化",
            "description": "把 14 块钣金合并为 6 块",
            "priority": "high",
            "budget_min": 100000,
            "budget_max": 200000,
        },
        {"service": "appearance-design", "title": "整机外观改型", "priority": "medium"},
    ],
}


@pytest.fixture
def cast(make):
    admin = make.admin()
    factory = make.enterprise(name="永川数控机床有限公司")
    other = make.enterprise()
    provider = make.provider(
        name="渝西工业设计", clusters=["smart-equipment"], services=["structural-design"]
    )
    close = make.expert("甲专家", "jia@x.cn", by=admin, **EXPERT)
    free = make.expert("乙专家", "yi@x.cn", by=admin, **EXPERT)
    experts.add_conflict(
        db.session,
        admin,
        close.id,
        {"organization_id": factory.organization_id, "relation": "client"},
    )
    commit()
    get_search().refresh()
    return {
        "admin": admin,
        "factory": factory,
        "other": other,
        "provider": provider,
        "close": close,
        "free": free,
    }


def _request(cast) -> int:
    request = requests.create_request(
        db.session,
        cast["factory"],
        {
            "product_line": "立式加工中心",
            "problems": "外观老旧，钣金结构成本高",
            "cluster": "smart-equipment",
            "services": ["structural-design"],
            "preferred_dates": [(dt.date.today() + dt.timedelta(days=10)).isoformat()],
        },
    )
    commit()
    return request.id


def test_request_to_draft_demand(cast):
    admin, factory = cast["admin"], cast["factory"]
    request_id = _request(cast)
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == admin.id, Notification.kind == "diagnosis_requested"
        )
    )
    assert note.params["organization"] == "永川数控机床有限公司"

    suggested = arrangements.suggested_experts(db.session, get_search(), admin, request_id)
    assert [m.record.id for m in suggested] == [cast["free"].id]  # the conflicted one never
    with pytest.raises(Conflict) as refused:
        arrangements.assign_expert(db.session, admin, request_id, cast["close"].id)
    assert "expert_id" in refused.value.fields
    db.session.rollback()
    arrangements.assign_expert(db.session, admin, request_id, cast["free"].id)
    providers = arrangements.suggested_providers(db.session, get_search(), admin, request_id)
    assert cast["provider"].organization.provider.id in [m.record.id for m in providers]
    arrangements.assign_provider(
        db.session, admin, request_id, cast["provider"].organization.provider.id
    )
    commit()

    expert_user = cast["free"].user
    with pytest.raises(Conflict):  # no visit yet: nothing to report on
        reports.file_report(db.session, expert_user, request_id, REPORT)
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        arrangements.schedule(
            db.session, admin, request_id, {"visit_at": "2001-01-01T09:00", "place": "厂区"}
        )
    db.session.rollback()
    when = (to_local(utcnow()) + dt.timedelta(days=7)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    arrangements.schedule(
        db.session, admin, request_id, {"visit_at": when.isoformat(), "place": "永川区凤凰湖工业园"}
    )
    commit()
    told = {
        n.user_id
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == "diagnosis_scheduled")
        )
    }
    assert {factory.id, expert_user.id, cast["provider"].id} <= told

    request, ics = arrangements.calendar_for(db.session, factory, request_id, "http://mm.test")
    event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
    assert str(event["location"]) == "永川区凤凰湖工业园"
    assert event.decoded("dtstart").astimezone(dt.timezone(dt.timedelta(hours=8))).hour == 9

    # A draft first, then the filed report; only the assigned expert writes it.
    with pytest.raises(Forbidden):
        reports.file_report(db.session, factory, request_id, REPORT)
    reports.file_report(db.session, expert_user, request_id, REPORT)
    commit()
    assert reports.report_shown_to(factory, request) is None  # a draft is the expert's own
    reports.file_report(db.session, expert_user, request_id, {**REPORT, "submit": True})
    commit()
    report = reports.report_shown_to(factory, request)
    assert request.status == "reported" and len(report.recommendations) == 2

    first = report.recommendations[0]
    demand = reports.draft_demand(db.session, factory, first.id)
    commit()
    assert demand.status == DemandStatus.DRAFT and demand.organization_id == factory.organization_id
    assert demand.title == "防护罩钣金结构优化" and demand.services == ["structural-design"]
    assert demand.cluster == "smart-equipment" and demand.budget_max == 200000
    assert "外观陈旧" in demand.description
    with pytest.raises(Conflict):
        reports.draft_demand(db.session, factory, first.id)
    with pytest.raises(NotFound):
        reports.draft_demand(db.session, cast["other"], first.id)
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "diagnosis.demand_drafted")
        ).data["demand_id"]
        == demand.id
    )
    assert db.session.get(Demand, demand.id) is demand


def test_who_sees_a_request(cast, make):
    admin = cast["admin"]
    request_id = _request(cast)
    arrangements.assign_expert(db.session, admin, request_id, cast["free"].id)
    commit()
    assert requests.read_request(db.session, cast["free"].user, request_id)
    assert requests.read_request(db.session, cast["factory"], request_id)
    for outsider in (cast["close"].user, cast["other"], cast["provider"], make.designer()):
        with pytest.raises(NotFound):
            requests.read_request(db.session, outsider, request_id)
    assert [r.id for r in requests.list_for(db.session, cast["free"].user)] == [request_id]
    assert requests.list_for(db.session, cast["close"].user) == []
    with pytest.raises(Forbidden):
        arrangements.assign_provider(db.session, cast["factory"], request_id, 1)
    with pytest.raises(Forbidden):
        requests.list_for(db.session, make.designer())


def test_an_administrator_proposes_and_the_enterprise_cancels(cast):
    proposed = requests.create_request(
        db.session,
        cast["admin"],
        {
            "organization_id": cast["factory"].organization_id,
            "product_line": "数控车床",
            "problems": "问卷显示外观设计投入不足",
            "cluster": "smart-equipment",
        },
    )
    commit()
    assert proposed.origin == "admin"
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == cast["factory"].id)
    )
    assert "diagnosis_proposed" in set(kinds)
    requests.cancel(db.session, cast["factory"], proposed.id)
    commit()
    with pytest.raises(Conflict):
        arrangements.assign_expert(db.session, cast["admin"], proposed.id, cast["free"].id)
