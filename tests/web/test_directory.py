"""The public directory: verified providers and demand teasers for anonymous visitors, with
titles, descriptions and a sitemap; never the enterprise behind a demand."""

from __future__ import annotations

import re

import pytest

from matchmaker.extensions import db
from matchmaker.services import accounts
from tests.web.pages import page


@pytest.fixture
def market(make):
    owner = make.enterprise(name="重庆永川骑士装备有限公司")
    make.demand(
        owner,
        title="骑士牌头盔外观设计",
        description="联系人王敏，重庆永川骑士装备有限公司",
        cluster="motorcycle",
        budget_min=80_000,
        budget_max=150_000,
    )
    make.demand(owner, status="in_review", title="尚未审核的需求")
    verified = make.provider(name="渝州智造设计有限公司", description="摩托车外观设计")
    make.provider(name="未认证设计工作室", description="摩托车外观设计")
    admin = make.admin()
    accounts.set_organization_verified(db.session, admin, verified.organization_id, True)
    make._commit()
    return {"owner": owner, "verified": verified}


def test_anonymous_visitors_browse_verified_providers_only(client, market):
    html = page(client.get("/directory"))
    assert "渝州智造设计有限公司" in html and "未认证设计工作室" not in html
    assert "免费注册" in html
    assert re.search(r'<meta name="description" content="[^"]*认证的工业设计服务方', html)
    assert "<title>认证设计服务方名录 · " in html
    filtered = page(client.get("/directory?region=jiulongpo"))
    assert "渝州智造设计有限公司" not in filtered


def test_demand_teasers_never_name_the_enterprise(client, market):
    html = page(client.get("/directory/demands"))
    assert "共 1 条已发布的需求" in html
    assert "5–20 万元" in html and "外观设计" in html
    for hidden in ("重庆永川骑士装备有限公司", "骑士牌头盔外观设计", "王敏", "尚未审核的需求"):
        assert hidden not in html
    assert "共 0 条" not in page(client.get("/directory/demands?cluster=motorcycle"))
    assert "暂时没有符合条件的需求" in page(client.get("/directory/demands?cluster=electronics"))
    # unknown filter values are ignored rather than failing
    assert client.get("/directory/demands?cluster=nonsense&page=abc").status_code == 200
    # a control character in any input is refused with the field named (docs/security.md)
    refused = client.get("/directory/demands?cluster=%00")
    assert refused.status_code == 400 and "cluster" in page(refused)


def test_sitemap_and_robots_list_the_public_pages(client, market):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xml = page(response)
    provider_id = market["verified"].organization.provider.id
    assert f"/providers/{provider_id}</loc>" in xml
    # home, two directory pages, guides, the register of design centres, the good-design
    # showcase, one verified provider
    assert xml.count("<url>") == 7
    assert "/centres</loc>" in xml and "/showcase</loc>" in xml
    assert "/directory/demands</loc>" in xml
    robots = page(client.get("/robots.txt"))
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /admin" in robots


def test_a_provider_profile_has_its_own_description(client, market):
    provider_id = market["verified"].organization.provider.id
    html = page(client.get(f"/providers/{provider_id}"))
    assert re.search(
        r'<meta name="description" content="渝州智造设计有限公司：[^"]*摩托车外观设计"', html
    )
