"""The pages with charts and facets on a 390 px phone, in Chinese and English: nothing sticks
out sideways except inside a scrolling region that announces itself (a labelled, focusable
region), the account menu included once opened. A screenshot of each page goes to
test-artifacts/ for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from matchmaker.extensions import db
from matchmaker.services import guides, interests
from matchmaker.transaction import commit
from tests.e2e.test_matchmaking_flow import login
from tests.factories import Factories

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
LONG_EMAIL = "fenghaoran.ycdesignhubport@example.cn"  # one long word: the menu's widest line
CLUSTERS = ["nev-ice", "electronics", "smart-equipment", "food-agri", "motorcycle", "biomedicine"]
REGIONS = ["yongchuan", "liangjiang", "shapingba", "jiulongpo", "nanan", "beibei", "banan",
           "jiangjin", "hechuan", "bishan", "dazu", "rongchang"]  # fmt: skip

# Every element wider than the viewport must sit inside a region that scrolls sideways and
# says so (role=region, a label, focusable) or inside something that clips it on purpose.
# What is not rendered (a closed menu's panel) is not looked at: it is checked once opened.
OVERFLOW = """
() => {
  const width = document.documentElement.clientWidth;
  const escapes = [];
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || (box.left >= -1 && box.right <= width + 1)) continue;
    let ok = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowX)) {
        const announced = p.getAttribute("role") === "region" && !!p.getAttribute("aria-label");
        ok = announced && p.tabIndex >= 0;
        break;
      }
      if (/(hidden|clip)/.test(style.overflowX)) { ok = true; break; }
    }
    if (!ok) escapes.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.right)}`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, escapes: escapes.slice(0, 10)};
}
"""


@pytest.fixture
def busy_platform(live_app):
    """Demands in six clusters over twelve districts, providers, interests and a published
    guide, so that every chart and facet has something to draw."""
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        provider = make.provider(email=LONG_EMAIL, clusters=CLUSTERS[:3])
        others = [make.provider(clusters=[c]) for c in CLUSTERS]
        owner = make.enterprise()
        for n in range(24):
            demand = make.demand(
                owner,
                title=f"需求{n}：智能头盔外观与结构一体化设计",
                cluster=CLUSTERS[n % len(CLUSTERS)],
                region=REGIONS[n % len(REGIONS)],
                budget_min=20_000 * (n + 1),
                budget_max=60_000 * (n + 1) if n % 5 else None,
                deadline="2030-08-31",
            )
            if n % 3 == 0:
                interest = make.interest(others[n % len(others)], demand)
                if n % 6 == 0:
                    interests.accept(db.session, owner, interest.id)
        make.interest(provider, demand)
        commit()
        today = dt.date.today()
        guide = guides.create_draft(
            db.session,
            admin,
            {
                "title": "工业设计供需指南（手机版检查）",
                "period_start": (today - dt.timedelta(days=90)).isoformat(),
                "period_end": today.isoformat(),
                "commentary": "本期需求集中在“汽车”“电子”两个集群。",
            },
        )
        guides.publish(db.session, admin, guide.id)
        commit()
        return guide.id


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_leads_guide_and_statistics_fit_a_phone(live_server, browser, busy_platform, locale):
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {
        "leads": (LONG_EMAIL, "/leads"),
        "guide": (None, f"/guides/{busy_platform}"),
        "statistics": ("admin@e2e.cn", "/admin/statistics"),
    }
    for name, (user, path) in pages.items():
        context = browser.new_context(locale=locale, viewport=PHONE)
        try:
            page = context.new_page()
            if user:
                login(page, live_server, user)
            page.goto(f"{live_server}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=ARTIFACTS / f"phone-{name}-{locale}.png", full_page=True)
            fits(page, name)
            if name == "guide":  # the heat map scrolls, and says so
                region = page.locator(".scroll-x[role=region]")
                assert region.evaluate("el => el.scrollWidth > el.clientWidth")
            if user:  # the account menu opens inside the screen (its panel is wide)
                page.locator("details.user-menu summary").click()
                expect(page.locator("details.user-menu .menu-panel")).to_be_visible()
                fits(page, f"{name}, account menu open")
        finally:
            context.close()


def fits(page, name: str) -> None:
    result = page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["width"], (name, result)
    assert result["escapes"] == [], (name, result)
