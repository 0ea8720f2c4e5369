"""A diagnostic visit in a real headless Chromium, through real forms with real CSRF tokens:
an enterprise requests a diagnosis, an administrator assigns the suggested expert (the expert
in conflict with the enterprise is not suggested) and schedules the visit, the expert files
the report, and the enterprise turns a recommendation into a draft demand in one click."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.models import utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import experts
from matchmaker.services.meetings import to_local
from matchmaker.transaction import commit
from tests.e2e.test_matchmaking_flow import login
from tests.factories import Factories

EXPERT = {
    "clusters": ["smart-equipment"],
    "services": ["structural-design", "appearance-design"],
    "professional_title": "senior",
    "years_experience": 20,
    "region": "yongchuan",
    "bio": "数控机床外观与钣金结构设计评审",
}


def test_request_assign_report_draft_demand(live_app, live_server, new_page):
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        factory = make.enterprise(name="重庆凤凰湖数控机床有限公司", email="factory@e2e.cn")
        make.expert("韩教授", "han@e2e.cn", by=admin, **EXPERT)
        close = make.expert("冲突专家", "cf@e2e.cn", by=admin, **EXPERT)
        experts.add_conflict(
            db.session,
            admin,
            close.id,
            {"organization_id": factory.organization_id, "relation": "client"},
        )
        commit()
        get_search().refresh()

    # 1. the enterprise requests a diagnosis
    enterprise = new_page()
    login(enterprise, live_server, "factory@e2e.cn")
    enterprise.goto(f"{live_server}/diagnosis/new")
    enterprise.fill("input[name=product_line]", "立式加工中心")
    enterprise.fill("textarea[name=problems]", "外观陈旧，防护罩钣金拼接多、漏液。")
    enterprise.select_option("select[name=cluster]", "smart-equipment")
    enterprise.check("input[name=services][value=structural-design]")
    enterprise.click("main form[method=post] button[type=submit]")
    expect(enterprise.locator("h1")).to_have_text("立式加工中心")
    request_url = enterprise.url

    # 2. the administrator assigns the suggested expert and schedules the visit
    office = new_page()
    login(office, live_server, "admin@e2e.cn")
    office.goto(request_url)
    suggestions = office.locator(".suggestions").first
    expect(suggestions).to_contain_text("韩教授")
    expect(suggestions).not_to_contain_text("冲突专家")
    suggestions.locator("li", has_text="韩教授").locator("button").click()
    expect(office.locator(".assigned").first).to_contain_text("韩教授")
    visit = (to_local(utcnow()) + dt.timedelta(days=5)).strftime("%Y-%m-%dT09:30")
    office.fill("input[name=visit_at]", visit)
    office.fill("input[name=place]", "凤凰湖工业园二号厂房")
    office.click("form[action$='/visit'] button[type=submit]")
    expect(office.locator(".visit")).to_contain_text("凤凰湖工业园二号厂房")

    # 3. the expert sees the assignment and files the report (asked once before filing)
    expert = new_page()
    login(expert, live_server, "han@e2e.cn")
    expert.goto(f"{live_server}/expert")
    expert.click("text=立式加工中心")
    expert.fill("textarea[name=summary]", "防护罩结构需简化，外观需改型。")
    expert.fill("textarea[name=findings]", "防护罩由 14 块钣金拼接，漏液。")
    expert.select_option("select[name='recommendations-0-service']", "structural-design")
    expert.fill("input[name='recommendations-0-title']", "防护罩钣金结构优化")
    expert.select_option("select[name='recommendations-0-priority']", "high")
    expert.fill("input[name='recommendations-0-budget_min']", "150000")
    expert.fill("input[name='recommendations-0-budget_max']", "300000")
    expert.click("button[name=action][value=submit]")
    expect(expert.locator("h1")).to_contain_text("提交")  # the page that asks first
    expert.click(".confirm-page button[type=submit]")
    expect(expert.locator(".report")).to_contain_text("防护罩钣金结构优化")

    # 4. the enterprise turns the recommendation into a draft demand in one click
    enterprise.goto(request_url)
    expect(enterprise.locator(".report")).to_contain_text("防护罩钣金结构优化")
    enterprise.click("text=转为需求草稿")
    expect(enterprise.locator("input[name=title]")).to_have_value("防护罩钣金结构优化")
    expect(enterprise.locator("input[name=budget_max]")).to_have_value("300000")
    enterprise.goto(request_url)
    expect(enterprise.locator(".report")).to_contain_text("已转为需求")
