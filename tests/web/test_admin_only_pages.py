"""The administrators' pages and actions: a visitor is sent to sign in; an enterprise or a
provider is refused (the 403 page) and changes nothing."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import Demand
from tests.web.pages import page

ADMIN_ONLY = [
    "/admin",
    "/admin/review",
    "/admin/organizations",
    "/admin/organizations?type=provider",
    "/admin/organizations/1",
    "/admin/archive",
    "/admin/archive/demands",
    "/admin/archive/providers",
    "/admin/archive/demands/export.csv",
    "/admin/archive/providers/export.xlsx?what=counts",
    "/admin/statistics",
    "/admin/statistics/export.csv",
    "/admin/statistics/export.xlsx",
]
ADMIN_POSTS = [
    "/admin/review/1/approve",
    "/admin/review",
    "/admin/organizations/1/verify",
    "/admin/organizations/1/unverify",
]


@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["enterprise", "provider"])
@pytest.mark.parametrize("url", ADMIN_ONLY)
def test_other_roles_get_403(client, auth, make, role, url):
    auth.login(getattr(make, role)().email)
    response = client.get(url)
    assert response.status_code == 403
    assert "没有权限访问" in page(response)


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_visitor_posts_are_sent_to_login(client, url):
    response = client.post(url, data={"d1-reason": "x"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url", ADMIN_POSTS)
def test_other_roles_cannot_post(client, auth, make, url):
    owner = make.enterprise()
    demand = make.demand(owner, status="in_review")
    auth.login(owner.email)
    response = client.post(url.replace("/1/", f"/{demand.id}/"), data={f"d{demand.id}-reason": "x"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).status == "in_review"
