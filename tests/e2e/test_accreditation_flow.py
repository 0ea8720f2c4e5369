"""Accreditation in a real browser: an expert scores in the form, the administrator decides
through the confirmation dialog, and the provider's profile and the public register show the
recognition. Every accreditation page is drawn at 1280 and 390 px, in Chinese and English,
with nothing sticking out sideways on the phone; the screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.services import files, providers, rubric_library
from matchmaker.services.accreditation import applications, recognitions, reviews, rounds
from matchmaker.transaction import commit
from tests.e2e.screens import draw_pages
from tests.e2e.test_matchmaking_flow import login
from tests.factories import Factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def round_in_review(live_app):
    """A round, an application in review with one expert seated, one waiting for the check,
    and a municipal recognition recorded from its certificate."""
    with live_app.app_context():
        make = Factories(db.session)
        admin = make.admin("admin@e2e.cn")
        applicant = make.provider(name="重庆铝境轻合金应用设计有限公司", email="lj@e2e.cn")
        waiting = make.provider(name="重庆茶竹品牌设计有限公司", email="cz@e2e.cn")
        expert = make.expert("韩立群", "han@e2e.cn", by=admin, title="重庆大学工业设计系教授")
        round_ = rounds.create_round(
            db.session,
            admin,
            {
                "title": "2026年度永川区区级工业设计中心认定",
                "year": 2026,
                "criteria": [
                    {"name": "设计团队与人才", "weight": 25},
                    {"name": "设计投入与条件", "weight": 20},
                    {"name": "设计成果与效益", "weight": 35},
                    {"name": "管理制度与服务能力", "weight": 20},
                ],
                "min_reviewers": 1,
                "closes_on": (local_today() + dt.timedelta(days=30)).isoformat(),
            },
        )
        case = providers.add_case(
            db.session,
            applicant,
            applicant.organization.provider.id,
            {"title": "轻量化铝合金电池包壳体设计", "description": "减重 18%", "year": 2025},
        )
        commit()
        storage = files.Storage(
            live_app.config["UPLOAD_FOLDER"], live_app.config["UPLOAD_QUOTA_BYTES"]
        )
        ids = {}
        for user, case_ids in ((applicant, [case.id]), (waiting, [])):
            application = applications.apply(
                db.session,
                user,
                {
                    "round_id": round_.id,
                    "team_size": 32,
                    "designers": 24,
                    "investment": 4_800_000,
                    "achievements": "近三年完成新能源汽车轻量化结构设计项目三十余项，获专利多件。",
                    "case_ids": case_ids,
                },
            )
            upload = files.Upload("研发投入审计报告.pdf", "pdf", PDF)
            applications.add_files(db.session, user, application.id, [upload], storage)
            commit()
            ids[user.email] = application.id
        held = make.provider(name="重庆长旭汽车股份有限公司工业设计中心", region="liangjiang")
        record = applications.apply(
            db.session,
            held,
            {
                "kind": "record",
                "level": "municipal",
                "certificate_no": "渝经信设计〔2025〕12号",
                "valid_until": (local_today() + dt.timedelta(days=900)).isoformat(),
            },
        )
        upload = files.Upload("认定证书.pdf", "pdf", PDF)
        applications.add_files(db.session, held, record.id, [upload], storage)
        applications.check(db.session, admin, record.id, {"complete": True})
        recognitions.decide(db.session, admin, record.id, {"approve": True})
        applications.check(db.session, admin, ids["lj@e2e.cn"], {"complete": True})
        reviews.assign_reviewer(db.session, admin, ids["lj@e2e.cn"], expert.id)
        commit()
        rubric = rubric_library.create(
            db.session,
            admin,
            {"name": "好设计评分标准", "scale": 5,
             "criteria": [{"name": "创新性", "weight": 40}, {"name": "美观与体验", "weight": 30},
                          {"name": "市场成效", "weight": 30}]},
        )  # fmt: skip
        commit()
        return {"reviewed": ids["lj@e2e.cn"], "waiting": ids["cz@e2e.cn"], "round": round_.id,
                "rubric": rubric.id}  # fmt: skip


def test_score_decide_and_see_the_recognition(live_server, new_page, round_in_review):
    reviewed = round_in_review["reviewed"]
    expert = new_page()
    login(expert, live_server, "han@e2e.cn")
    expert.goto(f"{live_server}/accreditation/{reviewed}")
    for code, mark in (("c1", "8"), ("c2", "7"), ("c3", "9"), ("c4", "8")):
        expert.fill(f"#score_{code}", mark)
    expert.fill("textarea[name=comment]", "团队扎实，成果转化好")
    expert.get_by_role("button", name="提交评分").click()
    expect(expert.locator(".flash, [role=status]").first).to_contain_text("评分已提交")

    admin = new_page()
    login(admin, live_server, "admin@e2e.cn")
    admin.goto(f"{live_server}/accreditation/{reviewed}")
    expect(admin.locator("aside")).to_contain_text("81.5")  # 25×8+20×7+35×9+20×8 = 815 → 81.5
    admin.get_by_role("button", name="予以认定").click()
    # no data-confirm on this form: the server asks on a page of its own, then it is done
    admin.get_by_role("button", name="予以认定").click()
    expect(admin.locator("body")).to_contain_text("已予认定")

    visitor = new_page()
    visitor.goto(f"{live_server}/centres?level=district")
    expect(visitor.locator("table")).to_contain_text("重庆铝境轻合金应用设计有限公司")
    visitor.get_by_role("link", name="重庆铝境轻合金应用设计有限公司").click()
    expect(visitor.locator(".recognitions")).to_contain_text("有效期至")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_accreditation_page_at_desktop_and_phone_width(
    live_server, browser, round_in_review, locale
):
    pages = {
        "register": (None, "/centres"),
        "index-provider": ("lj@e2e.cn", "/accreditation"),
        "apply": ("cz@e2e.cn", f"/accreditation/new?round={round_in_review['round']}"),
        "record": ("cz@e2e.cn", "/accreditation/new?kind=record"),
        "check": ("admin@e2e.cn", f"/accreditation/{round_in_review['waiting']}"),
        "panel": ("admin@e2e.cn", f"/accreditation/{round_in_review['reviewed']}"),
        "score": ("han@e2e.cn", f"/accreditation/{round_in_review['reviewed']}"),
        "index-admin": ("admin@e2e.cn", "/accreditation"),
        "round": ("admin@e2e.cn", "/accreditation/rounds/new"),
        "rubrics": ("admin@e2e.cn", "/rubrics"),
        "rubric-edit": ("admin@e2e.cn", f"/rubrics/{round_in_review['rubric']}/edit"),
    }
    draw_pages(live_server, browser, pages, "accreditation", locale)
