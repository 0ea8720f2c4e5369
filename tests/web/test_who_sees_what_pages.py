"""Who sees what on the pages (docs/security.md, promises 1–3).

Providers never see the enterprise behind a demand before it accepts their interest — on the
demand, the leads, their own interests, notifications and meeting invitations —; lists
re-apply the database's rules to what the index proposes; and every page answers 404 for a
record the user may not see and 403 for one it sees but may not act on.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Demand, DemandStatus, Interest, InterestStatus, MeetingInvitee
from matchmaker.search_engine import get_search
from matchmaker.services import demands, interests, meetings
from matchmaker.transaction import commit
from tests.conftest import SECRET_NAME, TITLE, both_search_backends
from tests.web.pages import CONFIRMED, login, page


def _secrets(cast) -> tuple[str, ...]:
    organization = cast["owner"].organization
    return (SECRET_NAME, organization.credit_code, organization.phone, organization.email)


def _assert_no_secret(html: str, cast) -> None:
    for secret in _secrets(cast):
        assert secret not in html


# --- 1. the enterprise stays anonymous to providers ------------------------------------------


def test_provider_pages_never_name_the_enterprise(client, auth, cast):
    owner, provider, demand = cast["owner"], cast["provider"], cast["demand"]
    login(auth, owner)
    assert SECRET_NAME in page(client.get(f"/demands/{demand.id}"))  # the owner sees it
    # the enterprise invites a second provider: its notification does not say who invites
    bystander_profile = cast["bystander"].organization.provider.id
    client.post(f"/demands/{demand.id}/invite/{bystander_profile}")
    auth.logout()
    pages = {
        provider: (f"/demands/{demand.id}", "/leads?q=头盔", "/interests/mine"),
        cast["bystander"]: (f"/demands/{demand.id}", "/interests/mine", "/notifications"),
    }
    for reader, urls in pages.items():
        login(auth, reader)
        for url in urls:
            html = page(client.get(url))
            assert TITLE in html, url
            _assert_no_secret(html, cast)
        auth.logout()


def test_the_provider_sees_the_contacts_once_accepted(client, auth, cast):
    login(auth, cast["owner"])
    client.post(f"/interests/{cast['interest'].id}/accept", data=CONFIRMED)
    auth.logout()
    login(auth, cast["provider"])
    html = page(client.get(f"/demands/{cast['demand'].id}"))
    assert SECRET_NAME in html and cast["owner"].organization.phone in html


def test_meeting_invitations_do_not_name_the_enterprise_to_providers(client, auth, cast):
    admin, demand = cast["admin"], cast["demand"]
    meeting = _meeting_with_pair(admin, demand, cast["provider"])
    meetings.send_invitations(db.session, admin, meeting.id)
    commit()
    login(auth, cast["provider"])
    html = page(client.get("/meetings/invitations"))
    assert meeting.title in html and TITLE in html
    _assert_no_secret(html, cast)
    auth.logout()
    login(auth, cast["owner"])
    assert "渝州智造设计有限公司" in page(client.get("/meetings/invitations"))


def test_saved_search_digest_email_does_not_name_the_enterprise(cast, mail_sink):
    from matchmaker.services import saved_searches

    saved = saved_searches.save(db.session, cast["bystander"], "头盔", {"q": "头盔"})
    saved.last_alerted_at = cast["demand"].updated_at - dt.timedelta(days=2)  # the demand is new
    commit()
    sent = saved_searches.send_digests(db.session, get_search(), "http://mm.test")
    commit()
    (body,) = mail_sink.bodies(cast["bystander"].email)
    assert sent == 1 and TITLE in body
    _assert_no_secret(body, cast)


def test_public_guide_and_its_downloads_do_not_name_the_enterprise(client, cast):
    from matchmaker.models import utcnow
    from matchmaker.services import guides

    today = utcnow().date()
    body = {
        "title": "头盔供需指南",
        "period_start": (today - dt.timedelta(days=30)).isoformat(),
        "period_end": today.isoformat(),
    }
    guide = guides.create_draft(db.session, cast["admin"], body)
    guides.publish(db.session, cast["admin"], guide.id)
    commit()
    edition = client.get(f"/api/v1/guides/{guide.id}").get_json()
    assert cast["demand"].cluster in str(edition)  # the demand is counted in its cluster
    _assert_no_secret(str(edition), cast)
    _assert_no_secret(page(client.get(f"/guides/{guide.id}")), cast)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/guides/{guide.id}.xlsx").data))
    cells = " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row)
    _assert_no_secret(cells, cast)
    pdf = PdfReader(io.BytesIO(client.get(f"/guides/{guide.id}.pdf").data))
    _assert_no_secret(re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages)), cast)


def _meeting_with_pair(admin, demand, provider_user):
    meeting = meetings.create_meeting(
        db.session,
        admin,
        {
            "title": "头盔设计对接会",
            "cluster": demand.cluster,
            "starts_at": dt.datetime(2031, 5, 6, 9, 30),
            "place": "永川科技馆",
        },
    )
    meetings.add_pair(
        db.session, admin, meeting.id, demand.id, provider_user.organization.provider.id
    )
    commit()
    return meeting


# --- 2. lists re-apply the database's rules ---------------------------------------------------


def _edit_back_into_review_without_reindexing(cast) -> None:
    """The owner's edit sends the demand back to review; the index keeps the published
    version because its update is not delivered (as while the engine is down)."""
    demands.update_demand(
        db.session,
        cast["owner"],
        cast["demand"].id,
        {"title": "头盔新方案（未审核）", "description": "未审核的新文字"},
    )
    db.session.commit()
    get_search().refresh()
    assert db.session.get(Demand, cast["demand"].id).status == DemandStatus.IN_REVIEW


@both_search_backends
def test_leads_page_drops_a_demand_back_in_review(client, auth, cast):
    login(auth, cast["bystander"])
    assert TITLE in page(client.get("/leads?q=头盔"))
    _edit_back_into_review_without_reindexing(cast)
    html = page(client.get("/leads?q=头盔"))
    assert TITLE not in html and "未审核" not in html
    html = page(client.get("/leads"))  # recommendations too
    assert TITLE not in html and "未审核" not in html


def test_own_interests_hide_a_demand_back_in_review(client, auth, cast):
    _edit_back_into_review_without_reindexing(cast)
    login(auth, cast["provider"])
    html = page(client.get("/interests/mine"))
    assert "未审核" not in html and "该需求暂不公开" in html
    assert f'/demands/{cast["demand"].id}"' not in html


def test_saved_search_digest_leaves_out_a_demand_back_in_review(app, cast):
    from matchmaker.models import Notification, utcnow
    from matchmaker.services import saved_searches

    saved_searches.save(db.session, cast["bystander"], "头盔", {"q": "头盔"})
    commit()
    _edit_back_into_review_without_reindexing(cast)
    later = utcnow() + dt.timedelta(days=2)
    saved_searches.send_digests(db.session, get_search(), "http://mm.test", later)
    commit()
    assert (
        db.session.scalar(select(Notification).where(Notification.kind == "saved_search_digest"))
        is None
    )


def test_meeting_pairs_drop_a_withdrawn_demand(client, auth, cast):
    admin, owner = cast["admin"], cast["owner"]
    other_demand = Demand(
        **{
            "organization_id": owner.organization_id,
            "title": "车载支架结构设计",
            "description": "结构设计",
            "cluster": cast["demand"].cluster,
            "services": ["structural-design"],
            "region": "yongchuan",
        }
    )
    db.session.add(other_demand)
    db.session.flush()
    demands.approve(db.session, admin, demands.submit(db.session, owner, other_demand.id).id)
    commit()
    meeting = _meeting_with_pair(admin, cast["demand"], cast["provider"])
    meetings.add_pair(
        db.session, admin, meeting.id, other_demand.id, cast["bystander"].organization.provider.id
    )
    commit()
    demands.withdraw(db.session, owner, cast["demand"].id)  # after the proposal was made
    commit()
    meetings.send_invitations(db.session, admin, meeting.id)
    commit()
    invited = set(db.session.scalars(select(MeetingInvitee.organization_id)))
    assert cast["provider"].organization_id not in invited  # its only pair's demand is gone
    assert cast["bystander"].organization_id in invited
    login(auth, cast["bystander"])
    assert "车载支架结构设计" in page(client.get("/meetings/invitations"))


def test_invitations_page_leaves_out_pairs_whose_demand_went_back_to_review(client, auth, cast):
    meeting = _meeting_with_pair(cast["admin"], cast["demand"], cast["provider"])
    meetings.send_invitations(db.session, cast["admin"], meeting.id)
    commit()
    _edit_back_into_review_without_reindexing(cast)
    login(auth, cast["provider"])
    html = page(client.get("/meetings/invitations"))
    assert meeting.title in html and "未审核" not in html and TITLE not in html


# --- 3. one rule for every page: 404 invisible, 403 visible but not yours -------------------


@pytest.mark.parametrize(
    "method, template, who, status",
    [
        ("GET", "/demands/{draft}", "provider", 404),
        ("GET", "/demands/{demand}", "other", 404),
        ("GET", "/demands/{demand}/edit", "other", 404),
        ("GET", "/demands/{demand}/edit", "provider", 403),
        ("POST", "/demands/{demand}/withdraw", "other", 404),
        ("POST", "/demands/{demand}/withdraw", "provider", 403),
        ("POST", "/interests/{interest}/deal", "other", 404),
        ("POST", "/interests/{interest}/deal", "bystander", 404),
        ("POST", "/demands/{draft}/delete", "provider", 404),
        ("POST", "/demands/{demand}/delete", "provider", 403),
        ("POST", "/demands/{demand}/invite/{profile}", "other", 404),
        ("POST", "/demands/{demand}/invite/{profile}", "bystander", 403),
        ("POST", "/demands/{demand}/interest", "other", 404),
        ("POST", "/demands/{demand}/interest", "owner", 403),
        ("POST", "/interests/{interest}/accept", "other", 404),
        ("POST", "/interests/{interest}/decline", "bystander", 404),
        ("POST", "/interests/{interest}/accept", "provider", 403),
        ("POST", "/interests/{interest}/withdraw", "other", 404),
        ("POST", "/interests/{interest}/withdraw", "bystander", 404),
        ("POST", "/interests/{interest}/withdraw", "owner", 403),
    ],
)
def test_pages_answer_404_for_invisible_and_403_for_not_yours(
    client, auth, cast, method, template, who, status
):
    path = template.format(
        demand=cast["demand"].id,
        draft=cast["draft"].id,
        interest=cast["interest"].id,
        profile=cast["bystander"].organization.provider.id,
    )
    login(auth, cast[who])
    response = client.open(path, method=method, data={"message": "我们来做"})
    assert response.status_code == status
    db.session.expire_all()
    assert db.session.get(Demand, cast["demand"].id).status == DemandStatus.PUBLISHED
    assert db.session.scalar(select(Interest.status)) == InterestStatus.PENDING


def test_services_apply_the_rules_whatever_the_caller(cast):
    """The rule lives in the services: calling them directly gives the same answers."""
    from matchmaker.services.errors import Forbidden, NotFound

    demand_id, interest_id = cast["demand"].id, cast["interest"].id
    operations = [
        lambda actor: demands.update_demand(db.session, actor, demand_id, {"title": "改"}),
        lambda actor: demands.submit(db.session, actor, demand_id),
        lambda actor: demands.withdraw(db.session, actor, demand_id),
        lambda actor: demands.delete_demand(db.session, actor, demand_id),
        lambda actor: interests.for_demand(db.session, actor, demand_id),
        lambda actor: interests.accept(db.session, actor, interest_id),
    ]
    for operation in operations:
        with pytest.raises(NotFound):
            operation(cast["other"])
        with pytest.raises(Forbidden):
            operation(cast["provider"])
        db.session.rollback()
