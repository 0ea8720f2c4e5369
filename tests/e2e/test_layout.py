"""Layout that only a browser can judge, at 1280 and 390 px: the home page's figures and the
section under them, side-by-side form fields, a menu opened on a phone, and a date in a
confirmation that does not break at its hyphens."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.services import guides, meetings
from matchmaker.transaction import commit
from tests.e2e.test_matchmaking_flow import login
from tests.e2e.test_phone_layout import PHONE, fits
from tests.factories import Factories

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_home_figures_sit_close_to_what_follows(live_server, new_page, viewport):
    page = new_page("zh-CN", viewport)
    page.goto(live_server)
    figures = page.locator(".counts .stat-grid").bounding_box()
    heading = page.locator("#roles-title").bounding_box()
    hero = page.locator(".hero").bounding_box()
    gap = heading["y"] - (figures["y"] + figures["height"])
    assert 0 < gap < 72, gap  # a section's usual distance, not an empty band
    assert figures["y"] < hero["y"] + hero["height"]  # the figures overlap the hero's edge


def test_fields_side_by_side_line_up_when_only_one_has_a_hint(live_server, new_page):
    page = new_page("zh-CN", DESKTOP)
    page.goto(f"{live_server}/register")
    page.fill("#password", "short")
    page.click("form[data-registration] button[type=submit]")
    expect(page.locator("#password-err")).to_contain_text("至少 10 个字符")
    # 联系人 has no hint, 手机号码 has one; 密码's hint is said once, by its error
    contact, phone = page.locator("#contact_name"), page.locator("#phone")
    assert contact.bounding_box()["y"] == phone.bounding_box()["y"]
    password, confirm = page.locator("#password"), page.locator("#confirm")
    assert password.bounding_box()["y"] == confirm.bounding_box()["y"]
    assert page.get_by_text("至少 10 个字符").count() == 1


@pytest.fixture
def meeting_and_draft(live_app):
    """A meeting to export papers from and a draft guide whose period has not ended."""
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        meeting = meetings.create_meeting(
            db.session,
            admin,
            {
                "title": "智能网联新能源汽车设计对接会",
                "cluster": "nev-ice",
                "starts_at": dt.datetime(2031, 5, 6, 9, 30),
                "place": "永川科技馆三楼报告厅",
            },
        )
        today = dt.date.today()
        guide = guides.create_draft(
            db.session,
            admin,
            {
                "title": "本季度供需指南",
                "period_start": (today - dt.timedelta(days=30)).isoformat(),
                "period_end": (today + dt.timedelta(days=30)).isoformat(),
            },
        )
        commit()
        return meeting.id, guide.id, guide.period_end.isoformat()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_menu_opened_on_a_phone_stays_on_the_screen(
    live_server, new_page, meeting_and_draft, locale
):
    meeting_id, _guide_id, _end = meeting_and_draft
    page = new_page(locale, PHONE)
    login(page, live_server, "admin@e2e.cn")
    page.goto(f"{live_server}/admin/meetings/{meeting_id}")
    page.locator("details.papers summary").click()
    expect(page.locator("details.papers .menu-panel")).to_be_visible()
    fits(page, "meeting papers menu")


def test_a_date_in_a_confirmation_stays_whole(live_server, new_page, meeting_and_draft):
    _meeting_id, guide_id, end = meeting_and_draft
    page = new_page("en-US", PHONE)
    login(page, live_server, "admin@e2e.cn")
    page.goto(f"{live_server}/guides/{guide_id}")
    page.locator("form[action$='/publish'] button").click()
    warning = page.locator("#confirm-dialog-warning")
    expect(warning).to_be_visible()
    date = warning.locator("time")
    expect(date).to_have_text(end)
    assert date.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"


def fonts_of(page, selector: str) -> set[str]:
    """The fonts Chromium actually drew the element's text with."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {
        f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    }


def test_english_text_and_its_quotes_take_no_cjk_glyphs(live_server, new_page):
    """Curly quotes exist in CJK fonts too, full-width: English pages take them from a Latin
    face, Chinese pages keep their CJK ones."""
    english = new_page("en-US")
    english.goto(live_server)
    assert "“33618”" in english.locator(".hero .lead").inner_text()
    assert not any("CJK" in name for name in fonts_of(english, ".hero .lead"))
    chinese = new_page("zh-CN")
    chinese.goto(live_server)
    assert any("CJK" in name for name in fonts_of(chinese, ".hero .lead"))


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_admin_bar_keeps_one_line_and_more_opens_the_rest(
    live_server, new_page, meeting_and_draft, locale
):
    page = new_page(locale, DESKTOP)
    login(page, live_server, "admin@e2e.cn")
    page.goto(f"{live_server}/admin/jobs")
    tops = page.locator(".main-nav > ul > li").evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 7 and len(set(tops)) == 1, tops
    more = page.locator("details.nav-more")
    # the page shown lives under 更多: the label is marked like a current link
    assert more.locator("summary").evaluate("el => getComputedStyle(el).boxShadow") != "none"
    expect(more.locator(".menu-panel")).to_be_hidden()
    more.locator("summary").click()
    expect(more.locator("a[aria-current=page]")).to_be_visible()
    page.goto(f"{live_server}/admin")
    assert more.locator("summary").evaluate("el => getComputedStyle(el).boxShadow") == "none"


def test_more_opens_inside_a_phone_screen(live_server, new_page, meeting_and_draft):
    page = new_page("en-US", PHONE)
    login(page, live_server, "admin@e2e.cn")
    page.locator("details.nav-more summary").click()
    expect(page.locator("details.nav-more .menu-panel")).to_be_visible()
    fits(page, "admin nav more")
