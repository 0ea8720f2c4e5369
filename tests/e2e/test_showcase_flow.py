"""The good-design showcase in a real browser: every showcase page drawn at 1280 and 390 px,
in Chinese and English, with nothing sticking out sideways on the phone (screenshots in
test-artifacts/), and a visitor going from the showcase to a winner and its provider."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from matchmaker.china_time import today as local_today
from matchmaker.demo_showcase import picture
from matchmaker.extensions import db
from matchmaker.services import files, providers
from matchmaker.services.showcase import entries, selection
from matchmaker.transaction import commit
from tests.e2e.screens import draw_pages
from tests.factories import Factories

CRITERIA = [{"name": "创新性", "weight": 50}, {"name": "市场成效", "weight": 50}]


def _entry(user, year_id, case, title, storage):
    entry = entries.submit(
        db.session,
        user,
        {
            "year_id": year_id,
            "source": "case",
            "case_id": case.id,
            "title": title,
            "services": ["appearance-design", "cmf-design"],
            "problem": "原车型造型保守，年轻用户认知度低，经销商反馈难以与竞品区分。",
            "design": "以“轻快、灵动”为主题重塑前脸与侧面腰线，LED 灯组家族化。",
            "results": "上市首年出口量同比增长。",
            "sales_change_pct": 42,
            "cost_change_pct": -8,
        },
    )
    before = [files.Upload("改进前.png", "png", picture((30, 100, 200), "before"))]
    after = [files.Upload("改进后.png", "png", picture((30, 100, 200), "after"))]
    entries.add_images(db.session, user, entry.id, before, after, storage)
    return entry


@pytest.fixture
def showcase(live_app):
    """2026 announced with a winner; 2027 open with an entry in review by 韩立群."""
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        user = make.provider(name="重庆棠驰摩托车有限公司设计研究院", email="tc@e2e.cn")
        provider = user.organization.provider
        cases = [
            providers.add_case(
                db.session, user, provider.id, {"title": title, "cluster": "motorcycle"}
            )
            for title in ("150cc踏板车东南亚版造型", "72V电动摩托车覆盖件开发")
        ]
        expert = make.expert("韩立群", "han@e2e.cn", by=admin, clusters=["motorcycle"])
        storage = files.Storage(
            live_app.config["UPLOAD_FOLDER"], live_app.config["UPLOAD_QUOTA_BYTES"]
        )
        closes = (local_today() + dt.timedelta(days=30)).isoformat()
        ids = {}
        for number, (case, title) in enumerate(
            zip(cases, ("踏板车东南亚版造型", "电动摩托车覆盖件"), strict=True)
        ):
            year = selection.create_year(
                db.session,
                admin,
                {"year": 2026 + number, "title": f"{2026 + number}“重庆好设计”评选",
                 "criteria": CRITERIA, "min_reviewers": 1, "closes_on": closes},
            )  # fmt: skip
            entry = _entry(user, year.id, case, title, storage)
            selection.assign_reviewer(db.session, admin, entry.id, expert.id)
            commit()
            ids[year.year] = (year.id, entry.id)
        winner = ids[2026][1]
        selection.score(db.session, expert.user, winner, {"scores": {"c1": 9, "c2": 8}})
        selection.shortlist(db.session, admin, ids[2026][0], {"entry_ids": [winner]})
        selection.announce(db.session, admin, ids[2026][0], {"entry_ids": [winner]})
        commit()
        return {"winner": winner, "open_year": ids[2027][0], "in_review": ids[2027][1],
                "provider": provider.id}  # fmt: skip


def test_a_visitor_finds_a_winner_and_its_provider(live_server, new_page, showcase):
    page = new_page()
    page.goto(f"{live_server}/showcase")
    page.select_option("#cluster", "motorcycle")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="踏板车东南亚版造型").click()
    expect(page.locator(".before-after img")).to_have_count(2)
    expect(page.locator("body")).to_contain_text("+42%")
    page.get_by_role("link", name="重庆棠驰摩托车有限公司设计研究院").first.click()
    expect(page.locator(".good-designs")).to_contain_text("2026 重庆好设计")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_showcase_page_at_desktop_and_phone_width(live_server, browser, showcase, locale):
    pages = {
        "gallery": (None, "/showcase"),
        "winner": (None, f"/showcase/{showcase['winner']}"),
        "entries-provider": ("tc@e2e.cn", "/showcase/entries"),
        "submit": ("tc@e2e.cn", f"/showcase/submit?year={showcase['open_year']}"),
        "score": ("han@e2e.cn", f"/showcase/{showcase['in_review']}"),
        "entry-admin": ("admin@e2e.cn", f"/showcase/{showcase['in_review']}"),
        "year": ("admin@e2e.cn", f"/showcase/years/{showcase['open_year']}"),
        "year-form": ("admin@e2e.cn", "/showcase/years/new"),
        "profile": (None, f"/providers/{showcase['provider']}"),
    }
    draw_pages(live_server, browser, pages, "showcase", locale)
