"""Common needs in a real browser: an enterprise opts in on the project's page and writes in
its conversation; every common-need page drawn at 1280 and 390 px, in Chinese and English
(test-artifacts/)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.search_engine import get_search
from matchmaker.services.common_needs import answers, conversation, projects
from matchmaker.transaction import commit
from tests.e2e.screens import draw_pages
from tests.e2e.test_matchmaking_flow import login
from tests.factories import Factories

HELMETS = [
    ("电动摩托车头盔外观设计", "为电动摩托车配套头盔做外观造型和配色，要求轻量、通风"),
    ("摩托车头盔造型升级", "现有头盔外观老旧，需要重新设计造型和涂装配色，兼顾通风"),
    ("骑行头盔新款外观", "新款骑行头盔的外观设计与配色方案，轻量化外壳"),
]


@pytest.fixture
def common_need(live_app):
    """Three alike helmet demands; a project of the first two (one joined), one provider
    invited; the third left as a proposal."""
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        owners = [
            make.enterprise(name=f"重庆头盔制造{n}厂", email=f"e{n}@e2e.cn") for n in range(4)
        ]
        demands = [
            make.demand(owner, title=title, description=text, cluster="motorcycle",
                        services=["appearance-design", "cmf-design"])
            for owner, (title, text) in zip(owners, HELMETS, strict=False)
        ]  # fmt: skip
        make.demand(owners[3], title="骑行头盔造型与配色", description="城市骑行头盔外观与配色设计",
                    cluster="motorcycle", services=["appearance-design"])  # fmt: skip
        designer = make.provider(
            name="重庆野驰摩托车设计有限公司",
            email="yc@e2e.cn",
            clusters=["motorcycle"],
            services=["appearance-design", "cmf-design"],
            description="专注摩托车及头盔外观造型、配色涂装设计",
        )
        get_search().refresh()
        need = projects.create(
            db.session,
            admin,
            {"demand_ids": [d.id for d in demands[:2]], "title": "摩托车头盔外观共性设计",
             "brief": "两家头盔企业共同委托一套轻量化头盔外观与配色方案", "threshold": 0.85},
        )  # fmt: skip
        projects.respond(db.session, owners[0], need.id, {"join": True})
        answers.invite(db.session, admin, need.id, designer.organization.provider.id)
        for user, body in (
            (owners[0], {"body": "我们希望外壳减重 15%，样品可寄，电话 13812345678"}),
            (
                designer,
                {"body": "可承接，先出三套造型草图。", "price": 280000, "timeline_days": 45},
            ),
            (admin, {"body": "请各方在平台内沟通，选定服务方后再交换联系方式。"}),
        ):
            conversation.post(db.session, user, need.id, body)
        commit()
        return need.id


def test_an_enterprise_opts_in(live_server, new_page, common_need):
    page = new_page()
    login(page, live_server, "e1@e2e.cn")
    page.goto(f"{live_server}/common-needs/{common_need}")
    expect(page.locator("aside")).not_to_contain_text("重庆头盔制造1厂")
    page.get_by_role("button", name="加入").click()
    expect(page.locator("aside")).to_contain_text("重庆头盔制造1厂")


def test_a_participant_writes_in_the_project_conversation(live_server, new_page, common_need):
    page = new_page()
    login(page, live_server, "e0@e2e.cn")
    page.goto(f"{live_server}/common-needs/{common_need}")
    page.get_by_role("link", name="进入项目沟通").click()
    page.get_by_label("消息").fill("样品下周寄出")
    page.get_by_role("button", name="发送").click()
    expect(page.locator("#conversation")).to_contain_text("样品下周寄出")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_common_need_page_at_desktop_and_phone_width(
    live_server, browser, common_need, locale
):
    pages = {
        "proposals": ("admin@e2e.cn", "/common-needs/proposals"),
        "project-admin": ("admin@e2e.cn", f"/common-needs/{common_need}"),
        "list-admin": ("admin@e2e.cn", "/common-needs"),
        "project-enterprise": ("e1@e2e.cn", f"/common-needs/{common_need}"),
        "project-provider": ("yc@e2e.cn", f"/common-needs/{common_need}"),
        "list-provider": ("yc@e2e.cn", "/common-needs"),
        "conversation-provider": ("yc@e2e.cn", f"/common-needs/{common_need}/conversation"),
        "conversation-enterprise": ("e0@e2e.cn", f"/common-needs/{common_need}/conversation"),
        "conversation-admin": ("admin@e2e.cn", f"/common-needs/{common_need}/conversation"),
    }
    draw_pages(live_server, browser, pages, "common-needs", locale)
