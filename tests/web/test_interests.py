"""A provider's interests and invitations; accept, decline and withdraw through the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import DemandStatus, Interest, InterestStatus
from matchmaker.services import interests as interest_service
from tests.web.pages import CONFIRMED, login, page


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/interests/mine"),
        ("post", "/interests/1/accept"),
        ("post", "/interests/1/decline"),
        ("post", "/interests/1/withdraw"),
    ],
)
def test_anonymous_is_sent_to_login(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_mine_lists_interests_and_invitations(client, auth, make):
    owner = make.enterprise()
    provider = make.provider()
    answered = make.demand(owner, title="已表达意向的需求")
    invited = make.demand(owner, title="受邀请的需求")
    make.interest(provider, answered, price=88000)
    interest_service.invite(db.session, owner, invited.id, provider.organization.provider.id)
    db.session.commit()
    login(auth, provider)
    html = page(client.get("/interests/mine"))
    assert "已表达意向的需求" in html and "status-pending" in html and "8.8 万元" in html
    assert "受邀请的需求" in html and "查看并回复" in html


def test_enterprise_has_no_interests_page(client, auth, make):
    login(auth, make.enterprise())
    assert client.get("/interests/mine").status_code == 403


def test_provider_without_profile_is_told_to_complete_it(client, auth, make):
    login(auth, make.provider(profile=False))
    response = client.get("/interests/mine")
    assert response.status_code == 403 and "请先完善服务能力档案" in page(response)


def test_withdraw_own_pending_interest(client, auth, make):
    provider = make.provider()
    interest = make.interest(provider, make.demand(make.enterprise()))
    login(auth, provider)
    assert client.post(f"/interests/{interest.id}/withdraw").status_code == 302
    db.session.refresh(interest)
    assert interest.status == InterestStatus.WITHDRAWN
    assert client.post(f"/interests/{interest.id}/withdraw").status_code == 409


def test_another_provider_cannot_withdraw(client, auth, make):
    interest = make.interest(make.provider(), make.demand(make.enterprise()))
    login(auth, make.provider())
    assert client.post(f"/interests/{interest.id}/withdraw").status_code == 404
    db.session.refresh(interest)
    assert interest.status == InterestStatus.PENDING


@pytest.fixture
def pending(auth, make):
    """A provider's pending interest in an enterprise's demand; the enterprise is signed in."""
    owner = make.enterprise()
    provider = make.provider(name="渝州智造设计")
    demand = make.demand(owner)
    interest = make.interest(provider, demand)
    login(auth, owner)
    return owner, provider, demand, interest


def test_accept_moves_demand_to_negotiation_and_reveals_contacts(client, auth, pending):
    owner, provider, demand, interest = pending
    response = client.post(f"/interests/{interest.id}/accept", data=CONFIRMED)
    assert response.status_code == 302 and f"/demands/{demand.id}" in response.headers["Location"]
    db.session.refresh(demand)
    assert demand.status == DemandStatus.IN_NEGOTIATION
    auth.logout()
    login(auth, provider)
    html = page(client.get(f"/demands/{demand.id}"))
    assert (
        "需求方联系方式" in html
        and owner.organization.phone in html
        and owner.organization.name in html
    )


def test_accepting_asks_first_and_says_who_sees_the_contacts(client, pending):
    _owner, _provider, demand, interest = pending
    html = page(client.get(f"/demands/{demand.id}"))
    assert 'data-confirm-title="接受“渝州智造设计”的合作意向？"' in html
    response = client.post(f"/interests/{interest.id}/accept")
    assert response.status_code == 200
    asked = page(response)
    assert "将向“渝州智造设计”公开" in asked and f'href="/demands/{demand.id}#interests"' in asked
    db.session.refresh(interest)
    assert interest.status == InterestStatus.PENDING


def test_decline(client, auth, pending):
    owner, provider, demand, interest = pending
    client.post(f"/interests/{interest.id}/decline")
    db.session.refresh(interest)
    assert interest.status == InterestStatus.DECLINED
    auth.logout()
    login(auth, provider)
    html = page(client.get(f"/demands/{demand.id}"))
    assert "status-declined" in html and owner.organization.phone not in html


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_demand_owner_decides(client, auth, make, action):
    provider = make.provider()
    interest = make.interest(provider, make.demand(make.enterprise()))
    # another enterprise may not know the interest exists; its own provider sees it
    for intruder, status in ((make.enterprise(), 404), (provider, 403)):
        login(auth, intruder)
        for data in ({}, CONFIRMED):  # neither asked nor done
            assert (
                client.post(f"/interests/{interest.id}/{action}", data=data).status_code == status
            )
        auth.logout()
    assert db.session.scalar(select(Interest.status)) == InterestStatus.PENDING


def test_unknown_interest_is_404(client, auth, make):
    login(auth, make.enterprise())
    assert client.post("/interests/424242/accept").status_code == 404
