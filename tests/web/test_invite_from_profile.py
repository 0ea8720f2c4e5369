"""An enterprise reading a provider's profile invites it to one of its open demands."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Invitation, Notification
from tests.web.pages import login, page


def test_enterprise_invites_from_the_profile(client, auth, make):
    owner = make.enterprise()
    provider = make.provider()
    profile_url = f"/providers/{provider.organization.provider.id}"
    open_demand = make.demand(owner, title="开放的需求")
    make.demand(owner, status="draft", title="草稿需求")
    login(auth, owner)
    html = page(client.get(profile_url))
    assert "开放的需求" in html and "草稿需求" not in html
    response = client.post(
        f"/providers/{provider.organization.provider.id}/invite", data={"demand_id": open_demand.id}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Invitation.demand_id)) == open_demand.id
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == provider.id))
    # invited already: the demand is no longer offered
    assert "邀请对方查看您的需求" not in page(client.get(profile_url))


def test_only_the_demands_owner_invites(client, auth, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    provider = make.provider()
    url = f"/providers/{provider.organization.provider.id}/invite"
    login(auth, make.enterprise())
    assert "邀请对方查看您的需求" not in page(
        client.get(f"/providers/{provider.organization.provider.id}")
    )
    assert client.post(url, data={"demand_id": demand.id}).status_code == 404  # not its demand
    assert client.post(url, data={"demand_id": "x"}).status_code == 302
    assert db.session.scalar(select(Invitation.id)) is None
