"""An interest's page: the conversation, the proposal's history, the deal, reviews, reports."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Message, Notification, Review
from matchmaker.services import demands, interests
from tests.web.pages import CONFIRMED, errors_of, login, page, stored_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def deal(make):
    owner = make.enterprise(name="重庆永川骑士装备有限公司")
    provider = make.provider(name="渝州智造设计有限公司")
    demand = make.demand(owner, title="骑行头盔外观设计")
    interest = make.interest(provider, demand, message="三套草图，两轮修改")
    return {"owner": owner, "provider": provider, "interest": interest, "demand": demand}


def url(deal, tail: str = "") -> str:
    return f"/interests/{deal['interest'].id}{tail}"


def test_strangers_and_admins_do_not_see_the_page(client, auth, make, deal):
    for stranger in (make.enterprise(), make.provider(), make.admin()):
        login(auth, stranger)
        assert client.get(url(deal)).status_code == 404
        assert client.post(url(deal, "/messages"), data={"body": "hi"}).status_code == 404
        auth.logout()
    assert db.session.scalar(select(func.count(Message.id))) == 0
    response = client.get(url(deal))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_messages_both_ways_with_masking_and_unread_counts(client, auth, deal):
    login(auth, deal["provider"])
    response = client.post(url(deal, "/messages"), data={"body": "方便的话加微信 yuzhou_design"})
    assert response.status_code == 302
    html = page(client.get(url(deal)))
    assert "yuzhou_design" not in html and "[***]" in html
    assert "消息中的联系方式已隐藏" in html
    auth.logout()

    login(auth, deal["owner"])
    detail = page(client.get(f"/demands/{deal['demand'].id}"))
    assert "1 条未读" in detail
    html = page(client.get(url(deal)))  # opening it reads it
    assert "渝州智造设计有限公司" in html and "[***]" in html
    assert "1 条未读" not in page(client.get(f"/demands/{deal['demand'].id}"))
    client.post(
        url(deal, "/messages"), data={"body": "请报价", "price": "150000", "timeline_days": "30"}
    )
    auth.logout()

    login(auth, deal["provider"])
    assert "1 条未读" in page(client.get("/interests/mine"))
    html = page(client.get(url(deal)))
    assert "请报价" in html and "15 万元" in html and "30 天" in html
    # the provider never reads the enterprise's name before acceptance
    assert "重庆永川骑士装备有限公司" not in html


def test_a_message_notifies_the_other_side_without_naming_the_enterprise(client, auth, deal):
    """Each message tells the other side's people, linking to the conversation; the provider's
    notice names the demand, never the enterprise (before acceptance)."""
    login(auth, deal["provider"])
    client.post(url(deal, "/messages"), data={"body": "我们可以下周给出草图"})
    auth.logout()
    login(auth, deal["owner"])
    html = page(client.get("/notifications"))
    assert "关于需求“骑行头盔外观设计”的合作意向有新消息" in html and url(deal) in html
    client.post(url(deal, "/messages"), data={"body": "好的，请先给出分阶段报价"})
    auth.logout()
    login(auth, deal["provider"])
    html = page(client.get("/notifications"))
    assert "关于需求“骑行头盔外观设计”的合作意向有新消息" in html and url(deal) in html
    assert "重庆永川骑士装备有限公司" not in html
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == deal["provider"].id)
    ).all()
    assert kinds.count("message_received") == 1  # its own message notified nobody on its side


def test_bad_message_input_is_shown_and_changes_nothing(client, auth, deal):
    login(auth, deal["provider"])
    response = client.post(url(deal, "/messages"), data={"body": "", "price": "abc"})
    assert response.status_code == 422
    html = page(response)
    assert errors_of(html, "body") == ["必填"] and errors_of(html, "price") == ["请输入整数"]
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_attachments_reach_the_two_sides_only(app, client, auth, make, deal):
    login(auth, deal["provider"])
    response = client.post(
        url(deal, "/messages"),
        data={"body": "方案书见附件", "attachments": [(io.BytesIO(PDF), "方案.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    message = db.session.scalars(select(Message)).one()
    file_url = url(deal, f"/files/{message.attachments[0].id}")
    with client.get(file_url) as download:
        assert download.data == PDF
        # a file from the other side is saved, never opened in the page's origin, nor cached
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["Cache-Control"] == "private, no-store"
    auth.logout()
    login(auth, make.provider())
    assert client.get(file_url).status_code == 404
    auth.logout()
    login(auth, deal["provider"])
    bad = client.post(
        url(deal, "/messages"),
        data={"body": "x", "attachments": [(io.BytesIO(b"MZ\x90"), "tool.exe")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "不支持的文件类型" in page(bad)
    assert len(stored_files(app)) == 1


def test_a_revised_proposal_keeps_its_history(client, auth, deal):
    login(auth, deal["provider"])
    response = client.post(
        url(deal, "/proposal"),
        data={
            "message": "两套草图，三轮修改，电话 13812345678",
            "price": "180000",
            "timeline_days": "40",
        },
    )
    assert response.status_code == 302
    auth.logout()
    login(auth, deal["owner"])
    html = page(client.get(url(deal)))
    assert "方案历史（2 版）" in html
    assert "三套草图，两轮修改" in html and "两套草图，三轮修改" in html
    assert "13812345678" not in html  # masked before acceptance
    # only the provider revises
    assert client.post(url(deal, "/proposal"), data={"message": "x"}).status_code == 403


def test_a_revised_proposal_carries_files_the_enterprise_downloads(client, auth, make, deal):
    login(auth, deal["provider"])
    response = client.post(
        url(deal, "/proposal"),
        data={"message": "修订方案见附件", "attachments": [(io.BytesIO(PDF), "方案书.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    auth.logout()
    login(auth, deal["owner"])
    html = page(client.get(url(deal)))
    (attachment_id,) = re.findall(url(deal, r"/files/(\d+)"), html)
    assert "方案书.pdf" in html
    with client.get(url(deal, f"/files/{attachment_id}")) as download:
        assert download.status_code == 200 and download.data == PDF
    auth.logout()
    login(auth, make.provider())
    assert client.get(url(deal, f"/files/{attachment_id}")).status_code == 404


def test_report_opens_the_conversation_to_administrators_until_closed(client, auth, make, deal):
    admin = make.admin()
    login(auth, deal["provider"])
    client.post(url(deal, "/messages"), data={"body": "对方要求线下付款"})
    assert client.post(url(deal, "/report"), data={"reason": "疑似诈骗"}).status_code == 302
    auth.logout()
    login(auth, admin)
    reports = page(client.get("/admin/reports"))
    assert "疑似诈骗" in reports and "骑行头盔外观设计" in reports
    html = page(client.get(url(deal)))
    assert "对方要求线下付款" in html and "此次查看已记入审计日志" in html
    assert "message-form" not in html  # reading only
    reads = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "conversation.read_by_admin"
    )
    assert db.session.scalar(reads) == 1
    report_id = page(client.get("/admin/reports")).split("/admin/reports/")[1].split("/")[0]
    assert client.post(f"/admin/reports/{report_id}/close").status_code == 302
    assert client.get(url(deal)).status_code == 404


def close(client, deal):
    interests.accept(db.session, deal["owner"], deal["interest"].id)
    db.session.commit()
    return client.post(
        url(deal, "/deal"),
        data={"contract_value": "180000", "start_date": "2027-01-15", **CONFIRMED},
    )


def test_deal_then_both_reviews_then_the_rating_is_public(client, auth, make, deal):
    login(auth, deal["owner"])
    html = page(client.get(url(deal)))
    assert 'id="deal"' not in html  # not before acceptance
    bad = close(client, deal)
    assert bad.status_code == 302
    assert "合同金额" in page(client.get(url(deal)))
    review = {"quality": "5", "communication": "4", "timeliness": "4", "text": "交付准时"}
    assert client.post(url(deal, "/review"), data=review).status_code == 302
    provider_page = f"/providers/{deal['interest'].provider_id}"
    assert "暂无公开的合作评价" in page(client.get(provider_page))
    again = client.post(url(deal, "/review"), data=review)
    assert again.status_code == 409
    auth.logout()

    login(auth, deal["provider"])
    missing = client.post(url(deal, "/review"), data={"quality": "5"})
    assert missing.status_code == 422 and errors_of(page(missing), "communication") == ["必填"]
    assert client.post(url(deal, "/review"), data=review | {"text": ""}).status_code == 302
    auth.logout()
    html = page(client.get(provider_page))
    assert "交付准时" in html and "★ 4.3" in html
    login(auth, make.enterprise())
    assert "★ 4.3" in page(client.get("/providers?q="))


def test_deal_needs_its_values_and_the_enterprise(client, auth, deal):
    interests.accept(db.session, deal["owner"], deal["interest"].id)
    db.session.commit()
    login(auth, deal["owner"])
    missing = client.post(url(deal, "/deal"), data=CONFIRMED)
    assert missing.status_code == 422
    assert errors_of(page(missing), "contract_value") == ["必填"]
    asked = client.post(
        url(deal, "/deal"), data={"contract_value": "1", "start_date": "2027-01-01"}
    )
    assert "标记为已成交" in page(asked)  # without a script the server asks first
    auth.logout()
    login(auth, deal["provider"])
    refused = client.post(
        url(deal, "/deal"), data={"contract_value": "1", "start_date": "2027-01-01", **CONFIRMED}
    )
    assert refused.status_code == 403


def test_a_reported_review_can_be_hidden_with_a_reason(client, auth, make, deal):
    login(auth, deal["owner"])
    close(client, deal)
    client.post(
        url(deal, "/review"),
        data={"quality": "1", "communication": "1", "timeliness": "1", "text": "骂人的话"},
    )
    auth.logout()
    login(auth, deal["provider"])
    client.post(
        url(deal, "/review"), data={"quality": "5", "communication": "5", "timeliness": "5"}
    )
    review = db.session.scalars(select(Review).where(Review.side == "enterprise")).one()
    assert client.post(f"/reviews/{review.id}/report", data={"reason": "辱骂"}).status_code == 302
    auth.logout()
    login(auth, make.admin())
    assert "辱骂" in page(client.get("/admin/reports"))
    no_reason = client.post(f"/admin/reviews/{review.id}/hide", data={"reason": ""})
    assert no_reason.status_code == 422 and "请填写隐藏原因" in page(no_reason)
    assert (
        client.post(f"/admin/reviews/{review.id}/hide", data={"reason": "辱骂"}).status_code == 302
    )
    assert "骂人的话" not in page(client.get(f"/providers/{deal['interest'].provider_id}"))


def test_a_provider_reads_no_unreviewed_text_of_a_demand_back_in_review(client, auth, deal):
    demands.update_demand(
        db.session, deal["owner"], deal["demand"].id, {"title": "改过的标题：含尚未审核的内容"}
    )
    db.session.commit()
    login(auth, deal["provider"])
    html = page(client.get(url(deal)))
    assert "改过的标题" not in html and "该需求暂不公开" in html
    assert "三套草图，两轮修改" in html  # its own proposal and the conversation stay
