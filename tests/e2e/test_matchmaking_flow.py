"""The main flow in a real headless Chromium, through real forms with real CSRF tokens:
an enterprise registers and confirms its e-mail (read from a real SMTP server on loopback),
posts a demand, an administrator approves it, a provider finds it by a Chinese search and
expresses interest, the two sides exchange messages (contact details masked), the enterprise
accepts, both see each other's contact details, the enterprise marks the deal won, both
review, and the rating appears on the provider's public profile."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from tests.conftest import smtp_server
from tests.factories import PASSWORD, Factories, credit_code

TITLE = "智能头盔产品外观造型设计"


def login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator("form[action='/logout']")).to_have_count(1)


@pytest.fixture
def mailbox(live_app):
    with smtp_server() as (sink, port):
        live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield sink


def test_register_post_approve_find_interest_accept(live_app, live_server, new_page, mailbox):
    with live_app.app_context():
        make = Factories(db.session)
        make.admin("admin@e2e.cn")
        make.provider(
            name="渝州智造设计有限公司",
            email="provider@e2e.cn",
            region="yongchuan",
            clusters=["motorcycle"],
            services=["appearance-design", "structural-design"],
            description="专注摩托车及骑行装备的外观与结构设计",
        )

    # 1. an enterprise registers
    enterprise = new_page()
    enterprise.goto(f"{live_server}/register")
    enterprise.check("input[name=role][value=enterprise]")
    enterprise.fill("input[name=organization_name]", "重庆永川骑士装备有限公司")
    enterprise.fill("input[name=credit_code]", credit_code(990001))
    enterprise.fill("input[name=contact_name]", "王敏")
    enterprise.fill("input[name=phone]", "13912345678")
    enterprise.fill("input[name=email]", "buyer@e2e.cn")
    enterprise.fill("input[name=password]", PASSWORD)
    enterprise.fill("input[name=confirm]", PASSWORD)
    enterprise.select_option("select[name=region]", "yongchuan")
    enterprise.click("form[action='/register'] button[type=submit]")
    expect(enterprise.locator("h1")).to_contain_text("请查收邮件")
    # signed in already, waiting for the confirmation of the address
    expect(enterprise.locator("#unconfirmed")).to_contain_text("重新发送确认邮件")
    # … and opens the link of the confirmation e-mail
    (body,) = mailbox.bodies()
    enterprise.goto(re.search(r"http://\S+/register/confirm/\S+", body).group(0))
    expect(enterprise.locator("form[action='/logout']")).to_have_count(1)
    expect(enterprise.locator("#unconfirmed")).to_have_count(0)

    # 2. … and posts a demand for review
    enterprise.goto(f"{live_server}/demands/new")
    enterprise.fill("input[name=title]", TITLE)
    enterprise.fill(
        "textarea[name=description]", "为新款电动摩托车骑行头盔做外观造型设计，兼顾通风与轻量化。"
    )
    enterprise.select_option("select[name=cluster]", "motorcycle")
    enterprise.check("input[name=services][value=appearance-design]")
    enterprise.fill("input[name=budget_min]", "80000")
    enterprise.fill("input[name=budget_max]", "200000")
    enterprise.fill("input[name=deadline]", "2030-06-30")
    enterprise.select_option("select[name=region]", "yongchuan")
    enterprise.click("button[name=action][value=submit]")
    expect(enterprise.locator("h1")).to_contain_text(TITLE)
    demand_url = enterprise.url
    assert re.search(r"/demands/\d+$", demand_url)

    # 3. the administrator approves it
    admin = new_page()
    login(admin, live_server, "admin@e2e.cn")
    admin.goto(f"{live_server}/admin/review")
    item = admin.locator("li, article, tr").filter(has_text=TITLE).last
    item.locator("form[action$='/approve'] button").click()
    expect(admin.locator("form[action$='/approve']")).to_have_count(0)

    # 4. a provider finds it with a Chinese query and expresses interest
    provider = new_page()
    login(provider, live_server, "provider@e2e.cn")
    provider.goto(f"{live_server}/leads?q=外观设计")
    provider.get_by_role("link", name=TITLE).first.click()
    provider.fill("textarea[name=message]", "我们做过三款骑行头盔，可两周内给出三套造型方向。")
    provider.fill("input[name=price]", "150000")
    provider.fill("input[name=timeline_days]", "45")
    provider.click("form[action$='/interest'] button[type=submit]")
    expect(provider.locator("#interest")).to_contain_text("我们做过三款骑行头盔")
    expect(provider.locator("#interest")).not_to_contain_text("13912345678")

    # 5. the two sides talk on the platform; contact details are masked before acceptance
    provider.get_by_role("link", name="沟通与方案").click()
    conversation_url = provider.url.split("#")[0]
    provider.fill("textarea[name=body]", "方便的话加我微信 yuzhou_design，电话 138 1234 5678")
    provider.click("form.message-form button[type=submit]")
    messages = provider.locator("#conversation .messages")
    expect(messages).to_contain_text("加我[***]，电话 [***]")
    expect(messages).not_to_contain_text("yuzhou_design")
    enterprise.goto(demand_url)
    expect(enterprise.locator("#interests")).to_contain_text("1 条未读")
    enterprise.goto(conversation_url)
    expect(enterprise.locator("#conversation")).to_contain_text("加我[***]")
    enterprise.fill("textarea[name=body]", "请先在平台上给出分阶段报价。")
    enterprise.click("form.message-form button[type=submit]")
    provider.reload()
    expect(provider.locator("#conversation")).to_contain_text("请先在平台上给出分阶段报价")
    expect(provider.locator("#conversation")).not_to_contain_text("重庆永川骑士装备有限公司")

    # 6. the enterprise sees the interest without contacts, accepts it, and sees the provider's
    enterprise.goto(demand_url)
    interests = enterprise.locator("#interests")
    expect(interests).to_contain_text("渝州智造设计有限公司")
    expect(interests).not_to_contain_text("provider@e2e.cn")
    interests.locator("form[action$='/accept'] button").click()
    dialog = enterprise.locator("dialog#confirm-dialog")  # asked once, saying to whom
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("渝州智造设计有限公司")
    dialog.locator("button[value=confirm]").click()
    expect(enterprise.locator("#interests")).to_contain_text("provider@e2e.cn")

    # 7. the provider now sees the enterprise's contact details
    provider.goto(demand_url)
    expect(provider.locator("#interest")).to_contain_text("13912345678")
    expect(provider.locator("#interest")).to_contain_text("buyer@e2e.cn")

    # 8. the enterprise marks the deal won with its value and start date (asked once)
    enterprise.goto(conversation_url)
    deal = enterprise.locator("#deal")
    deal.locator("input[name=contract_value]").fill("180000")
    deal.locator("input[name=start_date]").fill("2027-01-15")
    deal.locator("button[type=submit]").click()
    dialog = enterprise.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("button[value=confirm]").click()
    expect(enterprise.locator("#reviews")).to_contain_text("18 万元")

    # 9. both review; the provider's public profile then shows the enterprise's rating
    def review(page, stars: tuple[int, int, int], text: str) -> None:
        page.goto(conversation_url)
        form = page.locator("form.review-form")
        for name, value in zip(("quality", "communication", "timeliness"), stars, strict=True):
            form.locator(f"input[name={name}][value='{value}']").check()
        form.locator("textarea[name=text]").fill(text)
        form.locator("button[type=submit]").click()
        expect(page.locator("#reviews")).to_contain_text(text)

    review(enterprise, (5, 4, 4), "方案扎实，沟通顺畅，按期交付。")
    review(provider, (4, 5, 5), "需求清楚，付款及时。")
    enterprise.goto(conversation_url)
    enterprise.get_by_role("link", name="渝州智造设计有限公司").click()
    visitor = new_page()  # the public profile needs no account
    visitor.goto(enterprise.url)
    expect(visitor.locator("h1 + p .rating")).to_contain_text("4.3")
    expect(visitor.locator("#reviews")).to_contain_text("方案扎实，沟通顺畅，按期交付。")
    expect(visitor.locator("#reviews")).not_to_contain_text("需求清楚，付款及时")
