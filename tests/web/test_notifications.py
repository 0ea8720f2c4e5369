"""The notifications page, its texts per kind, the bell and "mark all read"."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Notification
from matchmaker.services import notifications as notification_service
from matchmaker.web.notifications.texts import TEXTS, notification_text

KINDS = {
    "demand_approved": ({}, "您的需求“外观设计”已通过审核并发布"),
    "demand_rejected": ({"reason": "请补充预算"}, "您的需求“外观设计”未通过审核，原因：请补充预算"),
    "demand_expired": ({}, "需求“外观设计”已过截止日期，自动关闭"),
    "demand_closed": ({}, "您表达过意向的需求“外观设计”已关闭"),
    "interest_received": ({"provider": "山城设计"}, "山城设计 对您的需求“外观设计”表达了合作意向"),
    "interest_accepted": ({}, "您对需求“外观设计”的合作意向已被接受，可查看对方联系方式"),
    "interest_declined": ({}, "您对需求“外观设计”的合作意向未被接受"),
    # an old notification's stored enterprise name is never shown: providers do not learn it
    "invited": ({"enterprise": "永川机械厂"}, "一家企业邀请您查看需求“外观设计”"),
    "meeting_invited": (
        {"starts_at": "2030-05-06T01:30:00", "place": "永川科技馆"},
        "贵单位受邀参加对接会“外观设计”（2030-05-06 09:30，永川科技馆），请回复是否参加",
    ),
    "saved_search_digest": ({"search": "摩托车", "count": 3}, "保存的搜索“摩托车”有 3 条新需求"),
    "guide_published": ({"edition": 2}, "新一期供需指南已发布：外观设计（第 2 期）"),
    "diagnosis_scheduled": (
        {"visit_at": "2030-05-06T01:30:00", "place": "永川工业园"},
        "设计诊断“外观设计”安排在 2030-05-06 09:30 上门，地点：永川工业园",
    ),
    "meeting_slot": (
        {"starts_at": "2030-05-06T06:00:00", "organization": "永川机械厂"},
        "诊断对接会“外观设计”为您安排了时段：2030-05-06 14:00，企业：永川机械厂",
    ),
    "accreditation_rejected": (
        {"level": "municipal"},
        "贵单位的市级工业设计中心认定申请未获通过，理由：未说明",
    ),
    "showcase_won": ({"year": 2030}, "贵单位的作品“外观设计”获评 2030 年重庆好设计"),
    "conversation_reported": ({}, "有一段对话被举报，请查看处理"),
}


def page(response) -> str:
    return response.get_data(as_text=True)


def add(user, kind, link="/demands/1", created_at=None, **params):
    row = Notification(
        user_id=user.id,
        kind=kind,
        link=link,
        params={"title": "外观设计", "demand_id": 1, **params},
    )
    if created_at:
        row.created_at = created_at
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_text_per_kind(app, kind):
    params, expected = KINDS[kind]
    with app.test_request_context():
        text = notification_text(
            Notification(kind=kind, params={"title": "外观设计", "demand_id": 1, **params})
        )
    assert text == expected


def test_every_kind_reads_in_english_with_its_blanks_filled(app):
    params = {"title": "Casing", "level": "national", "starts_at": "2030-05-06T01:30:00"}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        texts = {k: notification_text(Notification(kind=k, params=params)) for k in TEXTS}
    for kind, text in texts.items():
        assert "%(" not in text, kind
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), (kind, text)
    assert texts["accreditation_approved"] == (
        "Your organisation is recognised as a National design centre"
    )


def test_unknown_kind_has_a_fallback(app):
    with app.test_request_context():
        assert "外观设计" in notification_text(
            Notification(kind="something_new", params={"title": "外观设计"})
        )


def test_anonymous_is_sent_to_login(client):
    assert client.get("/notifications").headers["Location"].startswith("/login")
    assert client.post("/notifications/read-all").headers["Location"].startswith("/login")


def test_list_newest_first_with_links(client, auth, make):
    user = make.enterprise()
    now = dt.datetime(2030, 1, 1, 8, 0)
    add(user, "demand_approved", created_at=now - dt.timedelta(days=1))
    add(user, "demand_rejected", reason="请补充预算", created_at=now)
    auth.login(user.email)
    html = page(client.get("/notifications"))
    assert html.index("未通过审核") < html.index("已通过审核")
    assert 'href="/demands/1"' in html
    assert "2030-01-01 16:00" in html  # shown in China Standard Time


def test_only_own_notifications(client, auth, make):
    user, other = make.enterprise(), make.enterprise()
    add(other, "invited", title="别人的邀请")
    auth.login(user.email)
    assert "别人的邀请" not in page(client.get("/notifications"))


def test_non_local_links_are_not_rendered(client, auth, make):
    user = make.enterprise()
    add(user, "demand_approved", link="https://evil.example/")
    auth.login(user.email)
    html = page(client.get("/notifications"))
    assert "evil.example" not in html and "已通过审核" in html


def test_bell_shows_unread_count_and_read_all_clears_it(client, auth, make):
    user = make.enterprise()
    for _ in range(3):
        add(user, "demand_approved")
    auth.login(user.email)
    html = page(client.get("/"))
    assert '<span class="badge">3</span>' in html
    assert "（3 条未读）" in html
    response = client.post("/notifications/read-all")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    assert notification_service.unread_count(db.session, user) == 0
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.read_at.is_not(None))
        )
        == 3
    )
    assert 'class="badge"' not in page(client.get("/"))


def test_read_all_needs_post(client, auth, make):
    auth.login(make.enterprise().email)
    assert client.get("/notifications/read-all").status_code == 405


def test_empty_list(client, auth, make):
    auth.login(make.provider().email)
    assert "暂无通知" in page(client.get("/notifications"))


def test_rejection_from_the_review_service_is_listed(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, status="rejected")
    auth.login(owner.email)
    html = page(client.get("/notifications"))
    assert "信息不完整" in html


def test_opening_the_invited_demand_reads_its_notification(client, auth, make):
    """The invitation is answered by looking at the demand, from the notification or not."""
    owner, provider = make.enterprise(), make.provider()
    demand, other = make.demand(owner), make.demand(owner)
    auth.login(owner.email)
    client.post(f"/demands/{demand.id}/invite/{provider.organization.provider.id}")
    client.post(f"/demands/{other.id}/invite/{provider.organization.provider.id}")
    auth.logout()
    auth.login(provider.email)
    assert notification_service.unread_count(db.session, provider) == 2
    assert client.get(f"/demands/{demand.id}").status_code == 200
    unread = db.session.scalars(
        select(Notification.link).where(
            Notification.user_id == provider.id, Notification.read_at.is_(None)
        )
    )
    assert list(unread) == [f"/demands/{other.id}"]
    html = page(client.get("/leads"))
    assert '<span class="badge">1</span>' in html
