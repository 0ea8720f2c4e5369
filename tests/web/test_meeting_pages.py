"""Meeting pages: administrators plan and run meetings, invitees answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Meeting, MeetingInvitee, MeetingPair, utcnow
from tests.conftest import csrf_token_from
from tests.web.pages import CONFIRMED, page

ADMIN_GETS = [
    "/admin/meetings",
    "/admin/meetings/1",
    "/admin/meetings/1/edit",
    "/admin/meetings/1/pairs.xlsx",
    "/admin/meetings/1/sign-in.pdf",
    "/admin/meetings/1/agenda.pdf",
]
ADMIN_POSTS = [
    "/admin/meetings",
    "/admin/meetings/1/propose",
    "/admin/meetings/1/pairs",
    "/admin/meetings/1/pairs/1/include",
    "/admin/meetings/1/pairs/1/exclude",
    "/admin/meetings/1/invitations",
    "/admin/meetings/1/pairs/1/outcome",
    "/admin/meetings/1/edit",
    "/admin/meetings/1/cancel",
]
GOOD = {
    "title": "新能源汽车设计对接会",
    "cluster": "nev-ice",
    "region": "",
    "starts_on": "2031-05-06",
    "starts_time": "09:30",
    "place": "永川科技馆",
    "description": "",
}


@pytest.mark.parametrize("url", ADMIN_GETS + ["/meetings/invitations"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", ADMIN_POSTS + ["/meetings/1/rsvp"])
def test_anonymous_posts_are_sent_to_login(client, url):
    response = client.post(url, data={"answer": "yes"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["enterprise", "provider"])
def test_other_roles_get_403(client, auth, make, role):
    user = getattr(make, role)()
    auth.login(user.email)
    for url in ADMIN_GETS:
        assert client.get(url).status_code == 403
    for url in ADMIN_POSTS:
        assert client.post(url, data=GOOD).status_code == 403
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_admin_has_no_invitations_page(client, admin):
    assert client.get("/meetings/invitations").status_code == 403


def test_unknown_meeting_is_404(client, admin):
    assert client.get("/admin/meetings/999").status_code == 404
    assert client.post("/admin/meetings/999/propose").status_code == 404


def test_create_form_errors_change_nothing(client, admin):
    html = page(client.get("/admin/meetings"))
    assert "创建对接会" in html and "还没有对接会" in html
    assert '="None"' not in html  # untouched fields carry no aria-invalid / aria-describedby at all
    response = client.post(
        "/admin/meetings", data={**GOOD, "title": "", "cluster": "", "starts_on": "2020-01-01"}
    )
    assert response.status_code == 422
    html = page(response)
    assert (
        "必填" in html and "产业集群与区县至少选择一项" in html and "会议时间必须晚于现在" in html
    )
    assert (
        'aria-invalid="true" aria-describedby="title-err"' in html
        or 'aria-describedby="title-err" aria-invalid="true"' in html
    )
    response = client.post(
        "/admin/meetings",
        data={**GOOD, "starts_on": "not-a-date", "cluster": "bogus", "starts_time": "25:99"},
    )
    assert response.status_code == 422
    assert "请填写有效的日期和时间" in page(response) and "无效的选项" in page(response)
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_whole_meeting_through_the_pages(client, auth, make, admin):
    owner = make.enterprise(name="永川汽车零部件厂")
    designers = [make.provider(name=f"山城汽车设计{n}") for n in (1, 2)]
    demand = make.demand(owner, title="座舱人机交互设计")
    auth.login(admin.email)

    response = client.post("/admin/meetings", data=GOOD)
    meeting = db.session.scalar(select(Meeting))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/admin/meetings/{meeting.id}"
    )
    assert meeting.starts_at == dt.datetime(2031, 5, 6, 1, 30)
    html = page(client.get("/admin/meetings"))
    assert (
        "新能源汽车设计对接会" in html
        and "2031-05-06 09:30" in html
        and "智能网联新能源汽车" in html
    )

    client.post(f"/admin/meetings/{meeting.id}/propose", data={"per_demand": "1"})
    pairs = list(db.session.scalars(select(MeetingPair)))
    assert len(pairs) == 1
    html = page(client.get(f"/admin/meetings/{meeting.id}"))
    assert (
        "座舱人机交互设计" in html and "永川汽车零部件厂" in html and "配对名单 · 按服务方" in html
    )

    # the other designer by hand, then a duplicate (form message, nothing changes)
    other = next(d for d in designers if d.organization.provider.id != pairs[0].provider_id)
    response = client.post(
        f"/admin/meetings/{meeting.id}/pairs",
        data={"demand_id": str(demand.id), "provider_id": str(other.organization.provider.id)},
    )
    assert response.status_code == 302 and f"open={demand.id}" in response.headers["Location"]
    response = client.post(
        f"/admin/meetings/{meeting.id}/pairs",
        data={"demand_id": str(demand.id), "provider_id": str(other.organization.provider.id)},
    )
    assert response.status_code == 422 and "该配对已在名单中" in page(response)
    response = client.post(
        f"/admin/meetings/{meeting.id}/pairs", data={"demand_id": "x", "provider_id": ""}
    )
    assert response.status_code == 422 and "请选择服务方" in page(response)
    assert db.session.scalar(select(func.count(MeetingPair.id))) == 2

    first = pairs[0]
    client.post(f"/admin/meetings/{meeting.id}/pairs/{first.id}/exclude")
    db.session.expire_all()
    assert db.session.get(MeetingPair, first.id).included is False
    html = page(client.get(f"/admin/meetings/{meeting.id}?open={demand.id}"))
    assert "已剔除" in html and "发送邀请（2 家单位）" in html

    response = client.post(f"/admin/meetings/{meeting.id}/invitations")  # asks first
    assert response.status_code == 200 and "向 2 个单位发送对接会邀请？" in page(response)
    assert db.session.scalar(select(func.count(MeetingInvitee.id))) == 0
    response = client.post(
        f"/admin/meetings/{meeting.id}/invitations", data=CONFIRMED, follow_redirects=True
    )
    assert "已向 2 家单位发送邀请" in page(response)
    assert db.session.scalar(select(func.count(MeetingInvitee.id))) == 2

    # the enterprise answers
    auth.login(owner.email)
    html = page(client.get("/meetings/invitations"))
    assert "新能源汽车设计对接会" in html and "永川科技馆" in html and "未回复" in html
    response = client.post(
        f"/meetings/{meeting.id}/rsvp", data={"answer": "yes"}, follow_redirects=True
    )
    assert "已回复：参加" in page(response)
    response = client.post(
        f"/meetings/{meeting.id}/rsvp",
        data={
            "answer": "<b>",
        },
        follow_redirects=True,
    )
    assert "请选择参加、不参加或待定" in page(response)
    # an excluded provider was never invited
    excluded_user = next(d for d in designers if d.organization.provider.id == first.provider_id)
    auth.login(excluded_user.email)
    assert "暂无对接会邀请" in page(client.get("/meetings/invitations"))
    assert client.post(f"/meetings/{meeting.id}/rsvp", data={"answer": "yes"}).status_code == 404

    # after the meeting: outcomes
    auth.login(admin.email)
    meeting = db.session.get(Meeting, meeting.id)
    meeting.starts_at = utcnow() - dt.timedelta(hours=2)
    db.session.commit()
    kept = db.session.scalar(select(MeetingPair).where(MeetingPair.included.is_(True)))
    html = page(client.get(f"/admin/meetings/{meeting.id}"))
    assert "参加" in html and "保存结果" in html
    response = client.post(
        f"/admin/meetings/{meeting.id}/pairs/{kept.id}/outcome",
        data={f"p{kept.id}-outcome": "talked", f"p{kept.id}-contract_value": "1000"},
    )
    assert response.status_code == 422 and "只有签约时才填写合同金额" in page(response)
    response = client.post(
        f"/admin/meetings/{meeting.id}/pairs/{kept.id}/outcome",
        data={
            f"p{kept.id}-outcome": "contract_signed",
            f"p{kept.id}-contract_value": "250,000",
            f"p{kept.id}-notes": "<script>x</script>",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(MeetingPair, kept.id)
    assert (kept.outcome, kept.contract_value) == ("contract_signed", 250_000)
    html = page(client.get(f"/admin/meetings/{meeting.id}"))
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
    assert "已举行" in html


def test_forms_need_a_csrf_token(app_config, make):
    from matchmaker import create_app

    admin = make.admin()
    # A separate app: the test's own app context would keep one request's token in ``g``.
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = csrf_app.test_client()
        client.post(
            "/login",
            data={
                "email": admin.email,
                "password": "correct-horse-42",
                "csrf_token": csrf_token_from(page(client.get("/login"))),
            },
        )
        assert client.post("/admin/meetings", data=GOOD).status_code == 400
        assert db.session.scalar(select(func.count(Meeting.id))) == 0
        html = page(client.get("/admin/meetings"))
        response = client.post(
            "/admin/meetings", data={**GOOD, "csrf_token": csrf_token_from(html)}
        )
        assert response.status_code == 302
        assert db.session.scalar(select(func.count(Meeting.id))) == 1
    finally:
        with csrf_app.app_context():
            db.session.remove()
            db.engine.dispose()


def _meeting_with_invitees(client, make, admin):
    owner = make.enterprise(name="永川汽车零部件厂")
    designer = make.provider(name="山城汽车设计")
    demand = make.demand(owner, title="座舱人机交互设计")
    client.post("/admin/meetings", data=GOOD)
    meeting = db.session.scalar(select(Meeting))
    client.post(
        f"/admin/meetings/{meeting.id}/pairs",
        data={"demand_id": str(demand.id), "provider_id": str(designer.organization.provider.id)},
    )
    client.post(f"/admin/meetings/{meeting.id}/invitations", data=CONFIRMED)
    return meeting, owner, designer


def test_editing_and_cancelling_through_the_pages(client, auth, make, admin):
    auth.login(admin.email)
    meeting, owner, _designer = _meeting_with_invitees(client, make, admin)
    html = page(client.get(f"/admin/meetings/{meeting.id}/edit"))
    assert 'value="永川科技馆"' in html and '<option selected value="09:30">' in html
    response = client.post(
        f"/admin/meetings/{meeting.id}/edit", data={**GOOD, "starts_time": "14:00", "place": ""}
    )
    assert response.status_code == 422 and "必填" in page(response)
    response = client.post(
        f"/admin/meetings/{meeting.id}/edit", data={**GOOD, "starts_time": "14:00"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).starts_at == dt.datetime(2031, 5, 6, 6, 0)
    # cancelling asks first, saying how many organisations hear of it
    response = client.post(f"/admin/meetings/{meeting.id}/cancel")
    assert response.status_code == 200 and "已受邀的 2 个单位" in page(response)
    assert db.session.get(Meeting, meeting.id).status == "invited"
    client.post(f"/admin/meetings/{meeting.id}/cancel", data=CONFIRMED)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    html = page(client.get(f"/admin/meetings/{meeting.id}"))
    assert "对接会已取消" in html and f"/admin/meetings/{meeting.id}/edit" not in html
    auth.logout()
    auth.login(owner.email)
    html = page(client.get("/meetings/invitations"))
    assert "已取消" in html and f"/meetings/{meeting.id}.ics" not in html
    assert "已取消" in page(client.get("/notifications"))


def test_meeting_papers_download_as_workbooks_and_pdfs(client, auth, make, admin):
    auth.login(admin.email)
    meeting, _owner, _designer = _meeting_with_invitees(client, make, admin)
    pairs = client.get(f"/admin/meetings/{meeting.id}/pairs.xlsx")
    assert pairs.status_code == 200 and pairs.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(pairs.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("需求", "需求方", "服务方")
    assert rows[1][:3] == ("座舱人机交互设计", "永川汽车零部件厂", "山城汽车设计")
    sign_in = client.get(f"/admin/meetings/{meeting.id}/sign-in.xlsx")
    rows = list(load_workbook(io.BytesIO(sign_in.data)).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["永川汽车零部件厂", "山城汽车设计"]  # enterprises first
    agenda = client.get(f"/admin/meetings/{meeting.id}/agenda.pdf")
    assert agenda.status_code == 200 and agenda.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(agenda.data)).pages)
    for piece in ("新能源汽车设计对接会", "09:00–09:30", "签到", "第 1 桌", "09:45 山城汽车设计"):
        assert piece in text, piece
    sheet = client.get(f"/admin/meetings/{meeting.id}/sign-in.pdf")
    assert "永川汽车零部件厂" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(sheet.data)).pages
    )
    assert client.get(f"/admin/meetings/{meeting.id}/minutes.pdf").status_code == 404


def test_invitees_download_the_calendar_file(client, auth, make, admin):
    auth.login(admin.email)
    meeting, owner, _designer = _meeting_with_invitees(client, make, admin)
    auth.logout()
    auth.login(owner.email)
    assert f'href="/meetings/{meeting.id}.ics"' in page(client.get("/meetings/invitations"))
    response = client.get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert (
        str(event["summary"]) == "新能源汽车设计对接会" and str(event["location"]) == "永川科技馆"
    )
    auth.logout()
    auth.login(make.enterprise().email)
    assert client.get(f"/meetings/{meeting.id}.ics").status_code == 404
