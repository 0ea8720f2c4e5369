"""Feedback in a real browser: asking before irreversible actions (with and without script),
a failed rejection staying on its card, and anchor jumps clear of the sticky header."""

from __future__ import annotations

from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.models import Demand, Interest
from tests.e2e.test_matchmaking_flow import login
from tests.factories import Factories


def test_without_script_the_server_asks_once_and_then_acts(live_app, live_server, browser):
    with live_app.app_context():
        make = Factories(db.session)
        owner = make.enterprise(email="owner@e2e.cn")
        demand = make.demand(owner, title="骑行头盔外观设计")
        interest = make.interest(make.provider(name="渝州智造设计"), demand)
        interest_id, demand_id = interest.id, demand.id
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server, "owner@e2e.cn")
        page.goto(f"{live_server}/demands/{demand_id}")
        page.locator("form[action$='/accept'] button").click()
        expect(page.locator("h1")).to_have_text("接受“渝州智造设计”的合作意向？")
        with live_app.app_context():
            assert db.session.get(Interest, interest_id).status == "pending"
        page.get_by_role("button", name="接受意向").click()
        expect(page.locator("#interests")).to_contain_text("已接受")
    finally:
        context.close()
    with live_app.app_context():
        assert db.session.get(Interest, interest_id).status == "accepted"


def test_cancelling_the_dialog_does_nothing(live_app, live_server, new_page):
    with live_app.app_context():
        make = Factories(db.session)
        owner = make.enterprise(email="owner@e2e.cn")
        demand = make.demand(owner)
        interest_id = make.interest(make.provider(), demand).id
        demand_id = demand.id
    page = new_page()
    login(page, live_server, "owner@e2e.cn")
    page.goto(f"{live_server}/demands/{demand_id}")
    page.locator("form[action$='/accept'] button").click()
    dialog = page.locator("dialog#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("button[value=cancel]")).to_be_focused()  # the safe choice first
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/demands/{demand_id}")
    with live_app.app_context():
        assert db.session.get(Interest, interest_id).status == "pending"


def test_rejecting_without_a_reason_stays_on_the_card(live_app, live_server, new_page):
    with live_app.app_context():
        make = Factories(db.session)
        make.admin("admin@e2e.cn")
        owner = make.enterprise()
        queued = [make.demand(owner, status="in_review", title=f"需求{n}") for n in range(10)]
        target = queued[7].id
    page = new_page()
    login(page, live_server, "admin@e2e.cn")
    page.goto(f"{live_server}/admin/review")
    card = page.locator(f"#demand-{target}")
    card.locator("textarea").fill("   ")
    card.get_by_role("button", name="驳回").click()
    expect(page.locator(f"#demand-{target} .errors")).to_contain_text("请填写驳回原因")
    assert page.url == f"{live_server}/admin/review"
    expect(page.locator(f"#d{target}-reason")).to_be_focused()
    for part in (f"#demand-{target} .errors", f"#d{target}-reason"):  # in view, not at the top
        box = page.locator(part).bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 900, part
    with live_app.app_context():
        assert db.session.get(Demand, target).status == "in_review"


def test_anchor_jumps_clear_the_sticky_header(live_app, live_server, new_page):
    with live_app.app_context():
        make = Factories(db.session)
        owner = make.enterprise(email="owner@e2e.cn")
        demand = make.demand(owner, description="长描述。" * 400)
        make.interest(make.provider(), demand)
        demand_id = demand.id
    page = new_page()
    login(page, live_server, "owner@e2e.cn")
    page.goto(f"{live_server}/demands/{demand_id}#interests")
    header = page.locator("header.site-header").bounding_box()
    heading = page.locator("#interests h2").bounding_box()
    assert page.evaluate("window.scrollY") > 0
    print(heading, header, page.evaluate("scrollY"))
    assert heading["y"] >= header["y"] + header["height"], (heading, header)


def test_anchor_jumps_clear_a_header_whose_links_wrap(live_app, live_server, new_page):
    """An administrator's sections take two lines in English at 960 px, the narrowest
    desktop layout (at 1280 px they keep one line: tests/e2e/test_layout.py)."""
    with live_app.app_context():
        make = Factories(db.session)
        make.admin("admin@e2e.cn")
        owner = make.enterprise()
        queued = [make.demand(owner, status="in_review", title=f"需求{n}") for n in range(12)]
        target = queued[5].id
    page = new_page("en-US", {"width": 960, "height": 900})
    login(page, live_server, "admin@e2e.cn")
    page.goto(f"{live_server}/admin/review#demand-{target}")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] > 80  # two lines of links
    page.wait_for_function("window.scrollY > 0")
    card = page.locator(f"#demand-{target}").bounding_box()  # the target, not only its title
    assert card["y"] >= header["y"] + header["height"], (card, header)
