"""Demand pages: the enterprise's list, form, detail and lifecycle buttons; visibility; uploads."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Attachment, Demand, DemandStatus, Interest, Invitation
from matchmaker.services import files
from tests.web.pages import CONFIRMED, errors_of, login, page, stored_files

VALID = {
    "title": "产品外观造型设计",
    "description": "为一款电动摩托车设计外观造型，交付效果图和结构建议。",
    "cluster": "nev-ice",
    "services": ["appearance-design", "structural-design"],
    "budget_min": "100000",
    "budget_max": "300000",
    "deadline": "2030-06-30",
    "region": "yongchuan",
    "contact_preference": "platform",
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def demand_count() -> int:
    return db.session.scalar(select(func.count(Demand.id)))


# --- anonymous and roles -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/demands/mine", "/demands/new", "/demands/1", "/demands/1/edit"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/demands/1/submit",
        "/demands/1/withdraw",
        "/interests/1/deal",
        "/demands/1/delete",
        "/demands/1/interest",
        "/demands/1/invite/1",
    ],
)
def test_anonymous_posts_are_sent_to_login(client, url):
    response = client.post(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_provider_cannot_post_a_demand(client, auth, make):
    login(auth, make.provider())
    assert client.get("/demands/new").status_code == 403
    assert client.post("/demands/new", data=VALID).status_code == 403
    assert client.get("/demands/mine").status_code == 403
    assert demand_count() == 0


# --- list ----------------------------------------------------------------------------------


def test_mine_lists_own_demands_with_status_and_interest_counts(client, auth, make):
    owner = make.enterprise()
    other = make.enterprise()
    published = make.demand(owner, title="已发布的需求")
    make.demand(owner, status=DemandStatus.DRAFT, title="一份草稿")
    make.demand(other, title="别家的需求")
    make.interest(make.provider(), published)
    make.interest(make.provider(), published)
    login(auth, owner)
    html = page(client.get("/demands/mine"))
    assert "已发布的需求" in html and "一份草稿" in html and "别家的需求" not in html
    assert 'class="tag status-published' in html and 'class="tag status-draft' in html
    assert "2 条待回复" in html


def test_mine_empty_state(client, auth, make):
    login(auth, make.enterprise())
    assert "发布第一个需求" in page(client.get("/demands/mine"))


# --- create and edit -----------------------------------------------------------------------


def test_new_form_renders_choices(client, auth, make):
    login(auth, make.enterprise())
    html = page(client.get("/demands/new"))
    assert 'name="title"' in html and 'value="nev-ice"' in html and "智能网联新能源汽车" in html
    assert 'type="checkbox"' in html and 'name="attachments"' in html and 'type="date"' in html
    assert 'value="draft"' in html and 'value="submit"' in html


def test_service_checkboxes_come_in_groups(client, auth, make):
    from matchmaker.taxonomy import get_taxonomy

    login(auth, make.enterprise())
    html = page(client.get("/demands/new"))
    codes = [item["code"] for item in get_taxonomy().services.items]
    assert all(f'name="services" type="checkbox" value="{code}"' in html for code in codes)
    assert html.count('class="checkbox-group"') == len(
        {item["group"] for item in get_taxonomy().services.items}
    )
    assert "<legend>产品设计</legend>" in html and "<legend>制造支撑</legend>" in html
    html = page(client.post("/demands/new", data={**VALID, "services": [], "action": "draft"}))
    assert 'class="field checkboxes has-error"' in html and 'id="services-err"' in html


def test_save_draft(client, auth, make):
    owner = make.enterprise()
    login(auth, owner)
    response = client.post("/demands/new", data={**VALID, "action": "draft"})
    assert response.status_code == 302
    demand = db.session.scalar(select(Demand))
    assert demand.status == DemandStatus.DRAFT and demand.organization_id == owner.organization_id
    assert demand.services == ["appearance-design", "structural-design"]
    assert demand.budget_min == 100000 and demand.deadline.isoformat() == "2030-06-30"
    assert "草稿已保存" in page(client.get(response.headers["Location"]))


def test_submit_for_review(client, auth, make):
    login(auth, make.enterprise())
    response = client.post("/demands/new", data={**VALID, "action": "submit"})
    assert response.status_code == 302
    assert db.session.scalar(select(Demand)).status == DemandStatus.IN_REVIEW


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("title", "", "必填"),
        ("title", "长" * 201, "最多 200 个字符"),
        ("description", "", "必填"),
        ("cluster", "", "必填"),
        ("cluster", "no-such-cluster", "未知取值"),
        ("services", [], "必填"),
        ("services", ["appearance-design", "bogus"], "未知取值"),
        ("budget_min", "十万", "请输入整数"),
        ("budget_min", "-5", "不得小于 0"),
        ("budget_max", "50000", "不得小于"),
        ("deadline", "2030-13-45", "日期不存在：2030-13-45"),
        ("deadline", "30.6.2030", "日期格式应为 YYYY-MM-DD"),
        ("region", "", "必填"),
        ("contact_preference", "pigeon", "取值无效"),
    ],
)
def test_field_errors_are_shown_inline_and_nothing_is_saved(
    client, auth, make, field, value, message
):
    login(auth, make.enterprise())
    response = client.post("/demands/new", data={**VALID, field: value, "action": "submit"})
    assert response.status_code == 422
    messages = errors_of(page(response), field)
    assert any(message in m for m in messages), messages
    assert demand_count() == 0
    # what was typed is kept
    if field != "title":
        assert VALID["title"] in page(response)


def test_every_error_comes_back_in_one_round_in_the_readers_language(client, auth, make):
    """The budget rule is checked with the field rules, not only once they all pass."""
    login(auth, make.enterprise())
    bad = {**VALID, "title": "", "budget_min": "300000", "budget_max": "100000"}
    bad["deadline"] = "2027-04-31"
    html = page(client.post("/demands/new", data={**bad, "action": "submit"}))
    assert errors_of(html, "title") == ["必填"]
    assert errors_of(html, "budget_max") == ["不得小于预算下限"]
    assert errors_of(html, "deadline") == ["日期不存在：2027-04-31"]
    client.post("/language", data={"locale": "en", "next": "/"})
    refresh()  # the tests share one app context, where Flask-Babel caches the locale
    html = page(client.post("/demands/new", data={**bad, "action": "submit"}))
    assert errors_of(html, "title") == ["Required"]
    assert errors_of(html, "budget_max") == ["Must not be less than the minimum budget"]
    assert "budget_min" not in " ".join(errors_of(html, "budget_max"))
    assert demand_count() == 0


def test_edit_prefills_and_saves(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner, status=DemandStatus.DRAFT)
    login(auth, owner)
    html = page(client.get(f"/demands/{demand.id}/edit"))
    assert "新能源汽车外观设计" in html and 'value="100000"' in html
    response = client.post(
        f"/demands/{demand.id}/edit", data={**VALID, "budget_max": "", "action": "draft"}
    )
    assert response.status_code == 302
    db.session.refresh(demand)
    assert (
        demand.title == VALID["title"]
        and demand.budget_max is None
        and demand.status == DemandStatus.DRAFT
    )


def test_edit_with_a_blank_required_field_keeps_the_old_value(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner, status=DemandStatus.DRAFT)
    login(auth, owner)
    response = client.post(
        f"/demands/{demand.id}/edit", data={**VALID, "title": "", "action": "draft"}
    )
    assert response.status_code == 422 and "必填" in errors_of(page(response), "title")
    db.session.refresh(demand)
    assert demand.title == "新能源汽车外观设计"


def test_editing_a_published_demand_sends_it_back_to_review(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    login(auth, owner)
    assert "重新审核" in page(client.get(f"/demands/{demand.id}/edit"))
    response = client.post(
        f"/demands/{demand.id}/edit", data={**VALID, "action": "submit"}, follow_redirects=True
    )
    assert "重新审核" in page(response)
    db.session.refresh(demand)
    assert demand.status == DemandStatus.IN_REVIEW


def test_closed_demand_cannot_be_edited(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    login(auth, owner)
    client.post(f"/demands/{demand.id}/withdraw")
    response = client.get(f"/demands/{demand.id}/edit")
    assert response.status_code == 302
    assert client.post(f"/demands/{demand.id}/edit", data=VALID).status_code == 302
    db.session.refresh(demand)
    assert demand.title == "新能源汽车外观设计"


# --- visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [DemandStatus.DRAFT, DemandStatus.IN_REVIEW, DemandStatus.REJECTED]
)
def test_unpublished_demands_are_invisible_to_providers_and_other_enterprises(
    client, auth, make, status
):
    owner = make.enterprise()
    demand = make.demand(owner, status=status)
    for viewer in (make.provider(), make.enterprise()):
        login(auth, viewer)
        assert client.get(f"/demands/{demand.id}").status_code == 404
        assert client.get(f"/demands/{demand.id}/edit").status_code == 404
        assert client.post(f"/demands/{demand.id}/submit").status_code == 404
        assert client.post(f"/demands/{demand.id}/withdraw").status_code == 404
        assert client.post(f"/demands/{demand.id}/delete").status_code == 404
        auth.logout()
    db.session.refresh(demand)
    assert demand.status == status


def test_another_enterprise_cannot_see_a_published_demand(client, auth, make):
    demand = make.demand(make.enterprise())
    login(auth, make.enterprise())
    assert client.get(f"/demands/{demand.id}").status_code == 404


def test_provider_sees_a_published_demand_without_owner_actions(client, auth, make):
    owner = make.enterprise(name="重庆某摩托车制造有限公司")
    demand = make.demand(owner)
    login(auth, make.provider())
    response = client.get(f"/demands/{demand.id}")
    html = page(response)
    assert response.status_code == 200 and "新能源汽车外观设计" in html
    assert "表达合作意向" in html
    assert f"/demands/{demand.id}/edit" not in html and "撤回需求" not in html
    # neither the enterprise's name nor its contact before an accepted interest
    assert "重庆某摩托车制造有限公司" not in html and owner.organization.phone not in html
    assert client.get(f"/demands/{demand.id}/edit").status_code == 403
    assert client.post(f"/demands/{demand.id}/withdraw").status_code == 403


def test_unknown_demand_is_404(client, auth, make):
    login(auth, make.enterprise())
    assert client.get("/demands/999999").status_code == 404


# --- owner's detail page -------------------------------------------------------------------


def test_owner_sees_status_rejection_reason_and_actions(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner, status=DemandStatus.REJECTED)
    login(auth, owner)
    html = page(client.get(f"/demands/{demand.id}"))
    assert "status-rejected" in html and "信息不完整" in html
    assert f"/demands/{demand.id}/submit" in html and f"/demands/{demand.id}/edit" in html


@pytest.mark.parametrize(
    ("status", "answer", "left"),
    [(DemandStatus.DRAFT, 302, 0), (DemandStatus.IN_REVIEW, 409, 1)],
    ids=["a draft is deleted", "a submitted demand is not"],
)
def test_only_a_draft_can_be_deleted_by_its_owner(client, auth, make, status, answer, left):
    owner = make.enterprise()
    demand = make.demand(owner, status=status)
    login(auth, owner)
    assert client.post(f"/demands/{demand.id}/delete").status_code == answer
    assert demand_count() == left


def test_invalid_transition_is_a_conflict_page(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    login(auth, owner)
    response = client.post(f"/demands/{demand.id}/submit")  # published already
    assert response.status_code == 409
    db.session.refresh(demand)
    assert demand.status == DemandStatus.PUBLISHED


def test_marking_won_asks_first_and_says_who_is_declined(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    accepted, waiting = (
        make.interest(make.provider(), demand),
        make.interest(make.provider(), demand),
    )
    login(auth, owner)
    client.post(f"/interests/{accepted.id}/accept", data=CONFIRMED)
    deal = {"contract_value": "180000", "start_date": "2027-01-04"}
    response = client.post(f"/interests/{accepted.id}/deal", data=deal)
    assert response.status_code == 200 and "尚未答复的 1 个意向将被婉拒" in page(response)
    db.session.refresh(demand)
    assert demand.status == DemandStatus.IN_NEGOTIATION
    response = client.post(f"/interests/{accepted.id}/deal", data={**deal, **CONFIRMED})
    assert response.status_code == 302
    db.session.refresh(demand)
    db.session.refresh(waiting)
    db.session.refresh(accepted)
    assert (demand.status, demand.close_reason) == (DemandStatus.CLOSED, "won")
    assert waiting.status == "declined"
    assert (accepted.contract_value, str(accepted.start_date)) == (180000, "2027-01-04")


def test_a_deal_is_closed_only_with_its_contract_value(client, auth, make):
    """The old way of marking a demand won without a value is gone: a deal is recorded on
    the accepted interest, with its contract value and start date."""
    owner = make.enterprise()
    demand = make.demand(owner)
    accepted = make.interest(make.provider(), demand)
    login(auth, owner)
    client.post(f"/interests/{accepted.id}/accept", data=CONFIRMED)
    assert client.post(f"/demands/{demand.id}/won", data=CONFIRMED).status_code == 404
    missing = client.post(f"/interests/{accepted.id}/deal", data=CONFIRMED)
    assert missing.status_code == 422
    db.session.refresh(demand)
    assert demand.status == DemandStatus.IN_NEGOTIATION


def test_owner_sees_recommended_providers_with_reasons_and_invites(client, auth, make):
    owner = make.enterprise()
    provider = make.provider(name="重庆造型设计有限公司")
    demand = make.demand(owner)
    login(auth, owner)
    html = page(client.get(f"/demands/{demand.id}"))
    assert "重庆造型设计有限公司" in html and 'class="reasons"' in html
    provider_id = provider.organization.provider.id
    assert f"/demands/{demand.id}/invite/{provider_id}" in html
    response = client.post(f"/demands/{demand.id}/invite/{provider_id}")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Invitation.id))) == 1
    html = page(client.get(f"/demands/{demand.id}"))
    assert "已邀请" in html
    assert client.post(f"/demands/{demand.id}/invite/{provider_id}").status_code == 409


def test_reasons_follow_the_page_language(client, auth, make):
    owner = make.enterprise()
    make.provider()
    demand = make.demand(owner)
    login(auth, owner)
    client.post("/language", data={"locale": "en"})
    refresh()  # the tests share one app context, where Flask-Babel caches the locale
    html = page(client.get(f"/demands/{demand.id}"))
    assert 'lang="en"' in html
    reasons = re.search(r'<ul class="reasons">(.*?)</ul>', html, re.S).group(1)
    assert not re.search(r"[\u4e00-\u9fff]", reasons), reasons


def test_recommendations_degrade_when_search_is_down(client, auth, make, app, monkeypatch):
    from matchmaker.search_engine import get_search
    from search import SearchUnavailable

    owner = make.enterprise()
    demand = make.demand(owner)
    backend = get_search()

    def down(*args, **kwargs):
        raise SearchUnavailable("down")

    monkeypatch.setattr(backend, "match_providers", down)
    login(auth, owner)
    response = client.get(f"/demands/{demand.id}")
    assert response.status_code == 200 and "搜索服务暂时不可用" in page(response)


def test_another_enterprise_cannot_invite(client, auth, make):
    demand = make.demand(make.enterprise())
    provider = make.provider()
    login(auth, make.enterprise())
    assert (
        client.post(f"/demands/{demand.id}/invite/{provider.organization.provider.id}").status_code
        == 404
    )


# --- interest from the demand page ---------------------------------------------------------


def test_provider_expresses_interest(client, auth, make):
    demand = make.demand(make.enterprise())
    provider = make.provider()
    login(auth, provider)
    response = client.post(
        f"/demands/{demand.id}/interest",
        data={"message": "我们做过三款电动摩托车外观", "price": "180000", "timeline_days": "45"},
    )
    assert response.status_code == 302
    interest = db.session.scalar(select(Interest))
    assert interest.price == 180000 and interest.timeline_days == 45
    html = page(client.get(f"/demands/{demand.id}"))
    assert "我的合作意向" in html and "status-pending" in html and "需求方接受意向后" in html


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("message", "", "必填"),
        ("price", "abc", "请输入整数"),
        ("timeline_days", "0", "不得小于 1"),
        ("timeline_days", "99999", "不得大于 3650"),
    ],
)
def test_interest_errors_are_inline(client, auth, make, field, value, message):
    demand = make.demand(make.enterprise())
    login(auth, make.provider())
    data = {"message": "方案", "price": "1000", "timeline_days": "30", field: value}
    response = client.post(f"/demands/{demand.id}/interest", data=data)
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page(response), field))
    assert db.session.scalar(select(func.count(Interest.id))) == 0


def test_provider_without_profile_is_asked_to_complete_it(client, auth, make):
    demand = make.demand(make.enterprise())
    login(auth, make.provider(profile=False))
    assert "完善服务能力档案" in page(client.get(f"/demands/{demand.id}"))
    assert client.post(f"/demands/{demand.id}/interest", data={"message": "x"}).status_code == 403


def test_enterprise_cannot_express_interest(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    login(auth, owner)
    assert client.post(f"/demands/{demand.id}/interest", data={"message": "x"}).status_code == 403


def test_owner_sees_proposals_but_not_contacts_until_accepted(client, auth, make):
    owner = make.enterprise()
    provider = make.provider()
    demand = make.demand(owner)
    interest = make.interest(provider, demand, message="我们的方案思路是模块化")
    phone = provider.organization.phone
    login(auth, owner)
    html = page(client.get(f"/demands/{demand.id}"))
    assert "我们的方案思路是模块化" in html and f"/interests/{interest.id}/accept" in html
    assert phone not in html and provider.organization.email not in html
    client.post(f"/interests/{interest.id}/accept", data=CONFIRMED)
    html = page(client.get(f"/demands/{demand.id}"))
    assert phone in html and "服务方联系方式" in html


# --- attachments ---------------------------------------------------------------------------


def test_attachment_upload_and_download_by_those_allowed(client, auth, make, app):
    owner = make.enterprise()
    login(auth, owner)
    data = {
        **VALID,
        "action": "submit",
        "attachments": [
            (io.BytesIO(PDF), "需求说明书.pdf"),
            (io.BytesIO(docx_bytes()), "参数表.docx"),
        ],
    }
    response = client.post("/demands/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, page(response)
    demand = db.session.scalar(select(Demand))
    names = sorted(a.filename for a in demand.attachments)
    assert names == ["参数表.docx", "需求说明书.pdf"]
    assert len(stored_files(app)) == 2
    pdf = next(a for a in demand.attachments if a.filename.endswith(".pdf"))
    assert pdf.stored_name not in pdf.filename and "需求" not in pdf.stored_name
    url = f"/demands/{demand.id}/attachments/{pdf.id}"
    assert url in page(client.get(f"/demands/{demand.id}"))
    response = client.get(url)
    assert (
        response.status_code == 200
        and response.data == PDF
        and response.mimetype == "application/pdf"
    )
    response.close()
    docx = next(a for a in demand.attachments if a.filename.endswith(".docx"))
    response = client.get(f"/demands/{demand.id}/attachments/{docx.id}")
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()
    # the review queue links it, with a drawn paperclip (an emoji needs a font that may be missing)
    auth.logout()
    login(auth, make.admin())
    html = page(client.get("/admin/review"))
    assert f'<a class="attachment-link" href="{url}"><svg class="icon"' in html and "📎" not in html
    response = client.get(url)
    assert response.status_code == 200
    response.close()
    # in review: providers and other enterprises cannot fetch it
    auth.logout()
    login(auth, make.provider())
    assert client.get(url).status_code == 404
    # once published a provider can
    from matchmaker.services import demands as demand_service

    demand_service.approve(db.session, make.admin(), demand.id)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    response.close()
    auth.logout()
    login(auth, make.enterprise())
    assert client.get(url).status_code == 404
    # an attachment id under another demand is not found
    other = make.demand(owner)
    auth.logout()
    login(auth, owner)
    assert client.get(f"/demands/{other.id}/attachments/{pdf.id}").status_code == 404


def test_anonymous_cannot_download(client, make):
    assert client.get("/demands/1/attachments/1").status_code == 302


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("installer.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("page.html", b"<html></html>", "不支持的文件类型"),
        ("报告.pdf", PNG, "文件内容与扩展名不符"),
        ("photo.png", b"<script>alert(1)</script>", "文件内容与扩展名不符"),
        ("table.xlsx", None, "文件内容与扩展名不符"),  # a docx renamed to .xlsx
        ("empty.pdf", b"", "文件为空"),
    ],
)
def test_rejected_uploads_store_nothing(client, auth, make, app, name, content, message):
    login(auth, make.enterprise())
    content = docx_bytes() if content is None else content
    data = {**VALID, "action": "submit", "attachments": [(io.BytesIO(content), name)]}
    response = client.post("/demands/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert any(message in m for m in errors_of(page(response), "attachments")), page(response)
    assert demand_count() == 0 and stored_files(app) == []
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_too_large_upload_is_rejected(client, auth, make, app, monkeypatch):
    # a small limit keeps the request in memory (the 10 MB limit itself: tests/unit/test_files.py)
    monkeypatch.setattr(files, "DOCUMENTS", files.Policy(files.DOCUMENTS.extensions, 1000, 5))
    login(auth, make.enterprise())
    big = PDF + b"0" * 1000
    data = {**VALID, "action": "submit", "attachments": [(io.BytesIO(big), "大文件.pdf")]}
    response = client.post("/demands/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert any("文件过大" in m for m in errors_of(page(response), "attachments"))
    assert demand_count() == 0 and stored_files(app) == []


def test_too_many_files(client, auth, make, app):
    login(auth, make.enterprise())
    files = [(io.BytesIO(PDF), f"f{i}.pdf") for i in range(6)]
    response = client.post(
        "/demands/new", data={**VALID, "attachments": files}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "最多上传 5 个文件" in page(response)
    assert demand_count() == 0 and stored_files(app) == []


def test_field_and_file_errors_are_shown_together(client, auth, make, app):
    login(auth, make.enterprise())
    data = {**VALID, "title": "", "attachments": [(io.BytesIO(b"x"), "a.exe")]}
    html = page(client.post("/demands/new", data=data, content_type="multipart/form-data"))
    assert "必填" in errors_of(html, "title") and errors_of(html, "attachments")
    assert stored_files(app) == []


def test_invalid_form_with_a_good_file_stores_nothing(client, auth, make, app):
    login(auth, make.enterprise())
    data = {**VALID, "cluster": "", "attachments": [(io.BytesIO(PDF), "ok.pdf")]}
    response = client.post("/demands/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "请重新选择" in page(response)
    assert stored_files(app) == [] and demand_count() == 0


def test_attachment_can_be_removed_on_edit(client, auth, make, app):
    owner = make.enterprise()
    login(auth, owner)
    client.post(
        "/demands/new",
        data={**VALID, "action": "draft", "attachments": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    demand = db.session.scalar(select(Demand))
    attachment_id = demand.attachments[0].id
    html = page(client.get(f"/demands/{demand.id}/edit"))
    assert f'name="remove_attachment" value="{attachment_id}"' in html
    response = client.post(
        f"/demands/{demand.id}/edit",
        data={
            **VALID,
            "action": "draft",
            "remove_attachment": str(attachment_id),
            "attachments": [(io.BytesIO(PNG), "sketch.png")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    demand = db.session.get(Demand, demand.id)
    assert [a.filename for a in demand.attachments] == ["sketch.png"]
    assert len(stored_files(app)) == 1 and stored_files(app)[0].suffix == ".png"


def test_deleting_a_draft_removes_its_files(client, auth, make, app):
    login(auth, make.enterprise())
    client.post(
        "/demands/new",
        data={**VALID, "action": "draft", "attachments": [(io.BytesIO(PDF), "a.pdf")]},
        content_type="multipart/form-data",
    )
    demand = db.session.scalar(select(Demand))
    assert len(stored_files(app)) == 1
    client.post(f"/demands/{demand.id}/delete")
    assert stored_files(app) == []
