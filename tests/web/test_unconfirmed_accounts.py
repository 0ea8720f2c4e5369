"""An account whose address is not confirmed yet signs in and drafts, and nothing more.

Submitting a demand for review, expressing interest, deciding an interest, inviting a
provider or a colleague, writing a message or revising a proposal are refused with a
message that says why, and every page offers to send the confirmation again (throttled).
Contact details stay hidden from such an account even on an accepted interest (an account
can reach one when its organisation's claim is merged). docs/security.md, P8 and P56.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import ColleagueInvitation, Demand, DemandStatus, Interest, Message
from tests.web.pages import CONFIRMED, DEMAND_FORM, REGISTRATION, login, page

REFUSAL = "请先确认您的邮箱"
BUTTON = "重新发送确认邮件"


def unconfirm(user) -> None:
    user.email_confirmed_at = None
    db.session.commit()


def assert_refused(response) -> None:
    assert response.status_code == 403
    html = page(response)
    assert REFUSAL in html and BUTTON in html


@pytest.fixture
def cast(make):
    owner = make.enterprise(name="重庆永川骑士装备有限公司")
    provider = make.provider(name="渝州智造设计有限公司")
    demand = make.demand(owner, title="骑行头盔外观设计")
    interest = make.interest(provider, demand)
    return {"owner": owner, "provider": provider, "demand": demand, "interest": interest}


def test_an_unconfirmed_enterprise_drafts_but_cannot_submit(client, auth, make):
    owner = make.enterprise()
    unconfirm(owner)
    login(auth, owner)
    html = page(client.get("/demands/mine"))
    assert 'id="unconfirmed"' in html and BUTTON in html
    # "submit" on the form keeps what was typed as a draft and says why
    response = client.post("/demands/new", data={**DEMAND_FORM, "action": "submit"})
    assert response.status_code == 302
    demand = db.session.scalar(select(Demand))
    assert demand.status == DemandStatus.DRAFT
    shown = page(client.get(response.headers["Location"]))
    assert "已保存为草稿：确认邮箱后才能提交审核" in shown
    edited = client.post(
        f"/demands/{demand.id}/edit",
        data={**DEMAND_FORM, "title": "改过的标题", "version": demand.version, "action": "draft"},
    )
    assert edited.status_code == 302
    assert_refused(client.post(f"/demands/{demand.id}/submit"))
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).status == DemandStatus.DRAFT
    assert db.session.get(Demand, demand.id).title == "改过的标题"


def test_an_unconfirmed_provider_cannot_express_interest(client, auth, make):
    demand = make.demand(make.enterprise())
    provider = make.provider()
    unconfirm(provider)
    login(auth, provider)
    response = client.post(
        f"/demands/{demand.id}/interest",
        data={"message": "方案", "price": "1000", "timeline_days": "30"},
    )
    assert_refused(response)
    assert db.session.scalar(select(func.count(Interest.id))) == 0


def test_an_unconfirmed_enterprise_cannot_decide_invite_or_write(client, auth, make, cast):
    owner, interest = cast["owner"], cast["interest"]
    colleague = make.enterprise()
    colleague.organization_id = owner.organization_id  # a member whose address is unconfirmed
    unconfirm(colleague)
    login(auth, colleague)
    assert_refused(client.post(f"/interests/{interest.id}/accept", data=CONFIRMED))
    assert_refused(client.post(f"/interests/{interest.id}/decline"))
    assert_refused(client.post(f"/interests/{interest.id}/messages", data={"body": "您好"}))
    other = make.provider()
    invite = client.post(
        f"/demands/{cast['demand'].id}/invite/{other.organization.provider.id}", data=CONFIRMED
    )
    assert invite.status_code in (403, 404)
    team = client.post("/account/team", data={"name": "李工", "email": "li@example.cn"})
    assert team.status_code == 422 and REFUSAL in page(team)
    db.session.expire_all()
    assert db.session.get(Interest, interest.id).status == "pending"
    assert db.session.scalar(select(func.count(Message.id))) == 0
    assert db.session.scalar(select(func.count(ColleagueInvitation.id))) == 0


def test_an_unconfirmed_provider_cannot_write_or_revise(client, auth, cast):
    provider, interest = cast["provider"], cast["interest"]
    unconfirm(provider)
    login(auth, provider)
    assert_refused(client.post(f"/interests/{interest.id}/messages", data={"body": "您好"}))
    revised = client.post(
        f"/interests/{interest.id}/proposal",
        data={"message": "新方案", "price": "1000", "timeline_days": "30"},
    )
    assert_refused(revised)


def test_contacts_stay_hidden_until_the_reader_confirms(client, auth, cast):
    login(auth, cast["owner"])
    client.post(f"/interests/{cast['interest'].id}/accept", data=CONFIRMED)
    auth.logout()
    provider = cast["provider"]
    phone = cast["owner"].organization.phone
    unconfirm(provider)
    login(auth, provider)
    for path in (f"/demands/{cast['demand'].id}", f"/interests/{cast['interest'].id}"):
        html = page(client.get(path))
        assert phone not in html and "确认邮箱后可查看联系方式" in html, path
    provider.email_confirmed_at = db.func.now()
    db.session.commit()
    assert phone in page(client.get(f"/demands/{cast['demand'].id}"))


class TestResendButton:
    @pytest.fixture
    def app_config(self, app_config):
        app_config.update(RATELIMIT_ENABLED=True, MAIL_LINK_RATE_LIMIT="2 per hour")
        return app_config

    def test_it_mails_the_link_again_and_is_throttled(self, mail_sink, client):
        client.post("/register", data=REGISTRATION)  # signed in, waiting for confirmation
        mail_sink.messages.clear()
        answers = [
            client.post("/account/confirmation/resend", data={"next": "/demands/mine"})
            for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [302, 302, 429]
        assert answers[0].headers["Location"] == "/demands/mine"
        assert int(answers[2].headers["Retry-After"]) > 0 and "请求过于频繁" in page(answers[2])
        bodies = mail_sink.bodies(REGISTRATION["email"])
        assert len(bodies) == 2 and all("/register/confirm/" in b for b in bodies)

    def test_it_goes_back_only_to_a_page_of_this_site(self, mail_sink, client):
        client.post("/register", data=REGISTRATION)
        answer = client.post("/account/confirmation/resend", data={"next": "https://evil.test/"})
        assert answer.status_code == 302 and answer.headers["Location"] == "/"
