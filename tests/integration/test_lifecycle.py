"""A demand's whole life through the pages, with the admin's decisions through the services."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import CloseReason, Demand, DemandStatus, InterestStatus
from matchmaker.services import demands as demand_service
from matchmaker.transaction import commit
from tests.web.pages import CONFIRMED

FORM = {
    "title": "产品外观造型设计",
    "description": "一款家用清洁机器人的外观造型与 CMF 方案。",
    "cluster": "ai-service-robots",
    "services": ["appearance-design", "cmf-design"],
    "budget_min": "150000",
    "budget_max": "400000",
    "deadline": "2031-03-31",
    "region": "yongchuan",
    "contact_preference": "phone",
}


def page(response) -> str:
    return response.get_data(as_text=True)


def login(auth, user) -> None:
    assert auth.login(user.email).status_code == 302


def status_of(demand_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Demand, demand_id).status


def test_draft_review_publish_negotiate_win(client, auth, make):
    owner = make.enterprise()
    provider = make.provider(
        name="清洁机器人设计所",
        clusters=["ai-service-robots"],
        services=["appearance-design", "cmf-design"],
    )
    other_provider = make.provider()
    admin = make.admin()

    # draft: only the owner sees it
    login(auth, owner)
    response = client.post("/demands/new", data={**FORM, "action": "draft"})
    demand_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert status_of(demand_id) == DemandStatus.DRAFT
    auth.logout()
    login(auth, provider)
    assert client.get(f"/demands/{demand_id}").status_code == 404
    auth.logout()

    # submitted for review
    login(auth, owner)
    assert client.post(f"/demands/{demand_id}/submit").status_code == 302
    assert status_of(demand_id) == DemandStatus.IN_REVIEW
    auth.logout()

    # the admin approves: published, and on the leads page
    demand_service.approve(db.session, admin, demand_id)
    commit()
    assert status_of(demand_id) == DemandStatus.PUBLISHED
    login(auth, provider)
    assert "产品外观造型设计" in page(client.get("/leads", query_string={"q": "外观设计"}))

    # the provider answers
    response = client.post(
        f"/demands/{demand_id}/interest",
        data={"message": "我们设计过三款扫地机器人", "price": "300000", "timeline_days": "60"},
    )
    assert response.status_code == 302
    auth.logout()
    login(auth, other_provider)
    client.post(f"/demands/{demand_id}/interest", data={"message": "也有兴趣"})
    auth.logout()

    # the owner sees both proposals and its recommendations, accepts one
    login(auth, owner)
    html = page(client.get(f"/demands/{demand_id}"))
    assert "我们设计过三款扫地机器人" in html and "也有兴趣" in html and "清洁机器人设计所" in html
    demand = db.session.get(Demand, demand_id)
    chosen = next(i for i in demand.interests if i.provider_id == provider.organization.provider.id)
    other = next(i for i in demand.interests if i is not chosen)
    assert client.post(f"/interests/{chosen.id}/accept", data=CONFIRMED).status_code == 302
    assert status_of(demand_id) == DemandStatus.IN_NEGOTIATION
    html = page(client.get(f"/demands/{demand_id}"))
    assert provider.organization.phone in html and other_provider.organization.phone not in html

    # signed: closed as won; the other pending interest is closed too
    deal = {"contract_value": "150000", "start_date": "2027-01-04", **CONFIRMED}
    assert client.post(f"/interests/{chosen.id}/deal", data=deal).status_code == 302
    db.session.expire_all()
    demand = db.session.get(Demand, demand_id)
    assert demand.status == DemandStatus.CLOSED and demand.close_reason == CloseReason.WON
    assert db.session.get(type(other), other.id).status == InterestStatus.DECLINED
    html = page(client.get(f"/demands/{demand_id}"))
    assert "已成交" in html and f"/demands/{demand_id}/edit" not in html
    auth.logout()

    # the winner still sees the enterprise's contact; a closed demand leaves the leads
    login(auth, provider)
    assert owner.organization.phone in page(client.get(f"/demands/{demand_id}"))
    assert "产品外观造型设计" not in page(client.get("/leads"))


def test_reject_edit_resubmit(client, auth, make):
    owner = make.enterprise()
    admin = make.admin()
    login(auth, owner)
    response = client.post("/demands/new", data={**FORM, "action": "submit"})
    demand_id = int(response.headers["Location"].rsplit("/", 1)[1])
    demand_service.reject(db.session, admin, demand_id, "请补充交付物说明")
    commit()
    html = page(client.get(f"/demands/{demand_id}"))
    assert "请补充交付物说明" in html and "status-rejected" in html
    assert "请补充交付物说明" in page(client.get(f"/demands/{demand_id}/edit"))
    response = client.post(
        f"/demands/{demand_id}/edit",
        data={
            **FORM,
            "description": FORM["description"] + "交付：效果图、CMF 手册。",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    assert status_of(demand_id) == DemandStatus.IN_REVIEW
    demand_service.approve(db.session, admin, demand_id)
    commit()
    assert status_of(demand_id) == DemandStatus.PUBLISHED
    assert db.session.get(Demand, demand_id).review_note is None


def test_edit_of_published_goes_back_to_review_and_leaves_the_leads(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner, title="产品外观造型设计")
    provider = make.provider()
    login(auth, owner)
    client.post(
        f"/demands/{demand.id}/edit",
        data={**FORM, "title": "产品外观造型设计（修订）", "action": "submit"},
    )
    assert status_of(demand.id) == DemandStatus.IN_REVIEW
    auth.logout()
    login(auth, provider)
    assert client.get(f"/demands/{demand.id}").status_code == 404
    assert "产品外观造型设计" not in page(client.get("/leads"))


def test_withdraw(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    provider = make.provider()
    interest = make.interest(provider, demand)
    login(auth, owner)
    assert client.post(f"/demands/{demand.id}/withdraw").status_code == 302
    db.session.expire_all()
    demand = db.session.get(Demand, demand.id)
    assert demand.status == DemandStatus.CLOSED and demand.close_reason == CloseReason.WITHDRAWN
    assert db.session.get(type(interest), interest.id).status == InterestStatus.WITHDRAWN
    assert "已撤回" in page(client.get(f"/demands/{demand.id}"))
    assert client.post(f"/demands/{demand.id}/withdraw").status_code == 409


def test_expire_overdue(client, auth, make, runner):
    owner = make.enterprise()
    overdue = make.demand(
        owner, title="过期的需求", deadline=(dt.date.today() + dt.timedelta(days=2)).isoformat()
    )
    current = make.demand(owner, title="有效的需求")
    provider = make.provider()
    login(auth, provider)
    assert "过期的需求" in page(client.get("/leads"))
    # two days later
    count = demand_service.expire_overdue(db.session, today=dt.date.today() + dt.timedelta(days=3))
    commit()
    assert count == 1
    db.session.expire_all()
    expired = db.session.get(Demand, overdue.id)
    assert expired.status == DemandStatus.CLOSED and expired.close_reason == CloseReason.EXPIRED
    assert status_of(current.id) == DemandStatus.PUBLISHED
    html = page(client.get("/leads"))
    assert "过期的需求" not in html and "有效的需求" in html
    auth.logout()
    login(auth, owner)
    assert "已过期" in page(client.get(f"/demands/{overdue.id}"))
    assert "已过期" in page(client.get("/demands/mine"))


def test_expire_command(make, runner):
    owner = make.enterprise()
    demand = make.demand(owner)
    db.session.get(Demand, demand.id).deadline = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["demands", "expire"])
    assert "expired 1" in result.output
    assert db.session.scalar(select(Demand.close_reason)) == CloseReason.EXPIRED
