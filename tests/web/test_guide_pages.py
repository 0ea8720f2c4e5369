"""Guide pages: public editions and downloads, admin drafts, subscriptions, roles and CSRF."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from flask_babel import refresh
from pypdf import PdfReader
from sqlalchemy import select

from matchmaker import china_time
from matchmaker.extensions import db
from matchmaker.models import Guide, GuideSubscription
from matchmaker.services import accounts, guides
from matchmaker.transaction import commit
from tests.conftest import csrf_token_from
from tests.web.pages import CONFIRMED, errors_of, page

BODY = {
    "title": "2026年第四季度工业设计供需指南",
    "period_start": "2026-10-01",
    "period_end": "2026-12-31",
}


@pytest.fixture
def data(make):
    admin = make.admin()
    owner = make.enterprise()
    make.demand(owner, title="新能源汽车外观设计", cluster="nev-ice", region="yongchuan")
    provider = make.provider(clusters=["motorcycle"], services=["appearance-design"])
    accounts.set_organization_verified(db.session, admin, provider.organization_id, True)
    commit()
    return {"admin": admin, "owner": owner, "provider": provider}


def draft(admin, **fields) -> Guide:
    guide = guides.create_draft(db.session, admin, {**BODY, **fields})
    commit()
    return guide


def published(admin, **fields) -> Guide:
    guide = draft(admin, **fields)
    guides.publish(db.session, admin, guide.id)
    commit()
    return guide


def test_public_list_and_edition_page_need_no_login(client, data):
    guide = published(data["admin"], commentary="汽车集群需求旺盛。\n\n<script>alert(1)</script>")
    listing = client.get("/guides")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert BODY["title"] in html and f"/guides/{guide.id}.pdf" in html and "第 1 期" in html
    page = client.get(f"/guides/{guide.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        "智能网联新能源汽车",
        "摩托车",
        "供给缺口",
        "需求不足",
        "编者按",
        "汽车集群需求旺盛。",
        "永川区",
        "这是第一期，没有可比较的上一期。",
        "登录后订阅",
    ):
        assert text in html, text
    # charts without script: bars, the heat map as a table that scrolls and says so, the trend
    assert html.count('<figure class="chart hbars">') == 1
    assert html.count('<figure class="chart lines">') == 1
    region = r'<div class="scroll-x" role="region" tabindex="0" aria-label="[^"]+（可左右滑动）">'
    assert re.search(region, html)
    assert '<th scope="row" class="sticky">智能网联新能源汽车</th>' in html
    assert (
        "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    )
    assert "草稿操作" not in html
    assert "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles


def test_english_page_uses_english_taxonomy_labels(client, data):
    guide = published(data["admin"])
    client.post("/language", data={"locale": "en", "next": "/"})
    html = client.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "Intelligent Connected New Energy Vehicles" in html and "Yongchuan District" in html


def test_drafts_are_404_to_the_public_and_previewable_by_admins(client, auth, data):
    guide = draft(data["admin"])
    for path in (f"/guides/{guide.id}", f"/guides/{guide.id}.pdf", f"/guides/{guide.id}.xlsx"):
        assert client.get(path).status_code == 404
    auth.login(data["owner"].email)
    assert client.get(f"/guides/{guide.id}").status_code == 404
    auth.logout()
    auth.login(data["admin"].email)
    page = client.get(f"/guides/{guide.id}")
    assert page.status_code == 200 and "草稿预览" in page.get_data(as_text=True)
    pdf = client.get(f"/guides/{guide.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Cache-Control"] == "private, no-store"
    assert client.get("/guides/999999").status_code == 404


def test_downloads_are_real_pdf_and_xlsx(client, data):
    guide = published(data["admin"])
    pdf = client.get(f"/guides/{guide.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == "attachment; filename=guide-1.pdf"
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    )
    assert "智能网联新能源汽车" in text and "摩托车" in text and BODY["title"] in text
    sheet = client.get(f"/guides/{guide.id}.xlsx")
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book["概览"]["A1"].value == BODY["title"]
    names = [row[1] for row in book["产业集群"].iter_rows(min_row=2, values_only=True)]
    assert "智能网联新能源汽车" in names


def test_editions_are_rendered_once_and_served_as_stored_files(app, client, data):
    guide = published(data["admin"])  # publishing rendered both formats in both languages
    folder = Path(app.config["UPLOAD_FOLDER"]) / "guides"
    assert sorted(p.name for p in folder.iterdir()) == [
        "1-en.pdf",
        "1-en.xlsx",
        "1-zh.pdf",
        "1-zh.xlsx",
    ]
    english, stored = folder / "1-en.pdf", folder / "1-zh.pdf"
    assert english.read_bytes().startswith(b"%PDF") and english.read_bytes() != stored.read_bytes()
    stored.write_bytes(b"%PDF-stored")  # what is served is the stored file, not a new render
    first = client.get(f"/guides/{guide.id}.pdf")
    assert first.status_code == 200 and first.data == b"%PDF-stored"
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=86400" in first.headers["Cache-Control"]
    again = client.get(f"/guides/{guide.id}.pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304

    stored.unlink()  # lost (or its render failed): the download says so and renders again
    missing = client.get(f"/guides/{guide.id}.pdf")
    assert missing.status_code == 503 and missing.headers["Retry-After"] == "30"
    assert client.get(f"/guides/{guide.id}.pdf").status_code == 200


def test_admin_pages_need_an_admin(client, auth, data):
    guide = draft(data["admin"])
    paths = ["/admin/guides", f"/admin/guides/{guide.id}/edit"]
    posts = [
        "/admin/guides",
        f"/admin/guides/{guide.id}/edit",
        f"/admin/guides/{guide.id}/regenerate",
        f"/admin/guides/{guide.id}/publish",
        f"/admin/guides/{guide.id}/delete",
    ]
    for path in paths:
        assert client.get(path).status_code == 302  # to sign in
    for path in posts:
        assert client.post(path, data=BODY).status_code == 302
    for user in (data["owner"], data["provider"]):
        auth.login(user.email)
        for path in paths:
            assert client.get(path).status_code == 403
        for path in posts:
            assert client.post(path, data=BODY).status_code == 403
        auth.logout()
    assert db.session.get(Guide, guide.id).status == "draft"
    assert db.session.scalar(select(Guide).where(Guide.id != guide.id)) is None


def test_admin_creates_edits_and_publishes(client, auth, data):
    auth.login(data["admin"].email)
    page = client.get("/admin/guides")
    assert page.status_code == 200 and "生成新草稿" in page.get_data(as_text=True)
    assert '="None"' not in page.get_data(as_text=True)  # no attribute says "None"
    created = client.post("/admin/guides", data={**BODY, "clusters": ["nev-ice", "motorcycle"]})
    assert created.status_code == 302
    guide = db.session.scalar(select(Guide))
    assert created.location.endswith(f"/guides/{guide.id}") and guide.clusters == [
        "nev-ice",
        "motorcycle",
    ]
    edit = client.get(f"/admin/guides/{guide.id}/edit")
    assert edit.status_code == 200 and BODY["title"] in edit.get_data(as_text=True)
    saved = client.post(
        f"/admin/guides/{guide.id}/edit",
        data={
            **BODY,
            "commentary": "本期摩托车集群供给充足。",
            "clusters": ["nev-ice", "motorcycle"],
        },
    )
    assert saved.status_code == 302
    assert client.post(f"/admin/guides/{guide.id}/regenerate").status_code == 302
    done = client.post(f"/admin/guides/{guide.id}/publish", data=CONFIRMED, follow_redirects=True)
    assert done.status_code == 200 and "已发布第 1 期" in done.get_data(as_text=True)
    db.session.expire_all()
    guide = db.session.get(Guide, guide.id)
    assert (guide.status, guide.edition, guide.commentary) == (
        "published",
        1,
        "本期摩托车集群供给充足。",
    )
    # frozen: the edit form redirects, a second publish or a delete is a conflict
    assert client.get(f"/admin/guides/{guide.id}/edit").status_code == 302
    assert client.post(f"/admin/guides/{guide.id}/publish", data=CONFIRMED).status_code == 409
    assert client.post(f"/admin/guides/{guide.id}/delete").status_code == 409
    assert (
        client.post(f"/admin/guides/{guide.id}/edit", data={**BODY, "title": "改"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Guide, guide.id).title == BODY["title"]


@pytest.mark.parametrize(
    "form, field_message",
    [
        ({**BODY, "title": ""}, "必填"),
        ({**BODY, "period_start": "2026-13-01"}, "日期不存在：2026-13-01"),
        ({**BODY, "period_start": "2026/10/01"}, "日期格式应为 YYYY-MM-DD"),
        ({**BODY, "period_end": "2026-09-01"}, "不得早于统计期开始日期"),
        ({**BODY, "clusters": ["no-such-cluster"]}, "未知取值"),
    ],
)
def test_bad_form_input_shows_a_message_and_changes_nothing(
    client, auth, data, form, field_message
):
    auth.login(data["admin"].email)
    response = client.post("/admin/guides", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_message in html and 'class="errors"' in html
    assert db.session.scalar(select(Guide)) is None


def test_the_period_rule_is_checked_with_the_other_fields(client, auth, data):
    auth.login(data["admin"].email)
    html = page(
        client.post("/admin/guides", data={**BODY, "title": "", "period_end": "2026-09-01"})
    )
    assert errors_of(html, "title") == ["必填"]
    assert errors_of(html, "period_end") == ["不得早于统计期开始日期"]


def test_admin_deletes_a_draft(client, auth, data):
    guide = draft(data["admin"])
    auth.login(data["admin"].email)
    assert client.post(f"/admin/guides/{guide.id}/delete").status_code == 302
    assert db.session.get(Guide, guide.id) is None


def test_subscribe_toggles_for_any_signed_in_user(client, auth, data):
    assert client.post("/guides/subscribe").status_code == 302  # sign in first
    auth.login(data["provider"].email)
    page = client.get("/guides").get_data(as_text=True)
    assert "订阅供需指南" in page
    response = client.post("/guides/subscribe", data={"subscribe": "1", "next": "/guides"})
    assert response.status_code == 302 and response.location.endswith("/guides")
    assert db.session.scalar(select(GuideSubscription.user_id)) == data["provider"].id
    assert "取消订阅" in client.get("/guides").get_data(as_text=True)
    client.post(
        "/guides/subscribe", data={"next": "https://evil.example/"}
    )  # toggle, no open redirect
    assert db.session.scalar(select(GuideSubscription)) is None
    back = client.post("/guides/subscribe", data={"next": "https://evil.example/"})
    assert back.location.endswith("/guides")


def test_publishing_asks_first_saying_edition_audience_and_an_open_period(client, auth, data):
    guides.set_subscription(db.session, data["owner"], True)
    commit()
    today = china_time.today()
    running = draft(data["admin"], period_end=(today + dt.timedelta(days=3)).isoformat())
    ended = draft(data["admin"], period_end=(today - dt.timedelta(days=1)).isoformat())
    auth.login(data["admin"].email)
    # the draft page's button carries the question for the dialog
    html = page(client.get(f"/guides/{running.id}"))
    assert 'data-confirm-title="发布第 1 期供需指南？"' in html
    assert "1 位订阅用户将收到通知" in html and "data-confirm-warning=" in html
    assert "data-confirm-warning=" not in page(client.get(f"/guides/{ended.id}"))
    # without a script the unconfirmed post asks on a page and publishes nothing
    response = client.post(f"/admin/guides/{running.id}/publish")
    assert response.status_code == 200
    asked = page(response)
    assert "发布第 1 期供需指南？" in asked and "才结束" in asked
    assert 'name="confirmed" value="1"' in asked
    end = running.period_end.isoformat()  # the date in the question does not break at a hyphen
    assert f'统计期到 <time datetime="{end}">{end}</time> 才结束' in asked
    db.session.expire_all()
    assert db.session.get(Guide, running.id).status == "draft"
    client.post(f"/admin/guides/{ended.id}/publish", data=CONFIRMED)
    db.session.expire_all()
    assert db.session.get(Guide, ended.id).edition == 1


def test_publishing_notifies_subscribers(client, auth, data):
    guides.set_subscription(db.session, data["owner"], True)
    commit()
    guide = draft(data["admin"])
    auth.login(data["admin"].email)
    client.post(f"/admin/guides/{guide.id}/publish", data=CONFIRMED)
    auth.logout()
    auth.login(data["owner"].email)
    html = client.get("/notifications").get_data(as_text=True)
    assert f"/guides/{guide.id}" in html and BODY["title"] in html


def test_forms_need_a_csrf_token(app_config, data):
    from matchmaker import create_app

    # A separate app: the test's own app context would keep one request's token in ``g``.
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = csrf_app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        client.post(
            "/login",
            data={
                "email": data["admin"].email,
                "password": "correct-horse-42",
                "csrf_token": token,
            },
        )
        assert client.post("/admin/guides", data=BODY).status_code == 400
        assert client.post("/guides/subscribe", data={"subscribe": "1"}).status_code == 400
        assert db.session.scalar(select(Guide)) is None
        assert db.session.scalar(select(GuideSubscription)) is None
        page = client.get("/admin/guides").get_data(as_text=True)
        created = client.post("/admin/guides", data={**BODY, "csrf_token": csrf_token_from(page)})
        assert created.status_code == 302
        db.session.expire_all()
        assert db.session.scalar(select(Guide)).title == BODY["title"]
    finally:
        with csrf_app.app_context():
            db.engine.dispose()
        backend = csrf_app.extensions.get("search")
        if backend is not None:
            backend.close()


def test_both_editions_can_be_downloaded_from_either_language(client, data):
    guide = published(data["admin"])
    html = page(client.get(f"/guides/{guide.id}"))
    assert f'href="/guides/{guide.id}.pdf?lang=en" hreflang="en"' in html
    english = client.get(f"/guides/{guide.id}.pdf?lang=en")
    assert english.headers["Content-Disposition"] == "attachment; filename=guide-1-en.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(english.data)).pages)
    assert "Supply and demand by industry cluster" in text and "各产业集群供需对比" not in text
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/guides/{guide.id}.xlsx?lang=en").data))
    assert "Overview" in sheet.sheetnames
    client.post("/language", data={"locale": "en", "next": "/"})
    refresh()
    chinese = client.get(f"/guides/{guide.id}.pdf?lang=zh")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(chinese.data)).pages)
    assert "各产业集群供需对比" in text
    assert 'hreflang="zh"' in page(client.get(f"/guides/{guide.id}"))
