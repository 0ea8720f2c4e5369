"""The leads page: published demands through the search engine, facets, recommendations."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from matchmaker.models import DemandStatus
from matchmaker.search_engine import get_search
from search import SearchUnavailable
from tests.web.pages import login, page


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/demands/\d+">(.*?)</a>', html)


def facet_count(html: str, name: str, code: str) -> int | None:
    match = re.search(
        rf'name="{name}" value="{re.escape(code)}"[^>]*>\s*[^<]*<span class="count">(\d+)</span>',
        html,
    )
    return int(match.group(1)) if match else None


def test_anonymous_is_sent_to_login(client):
    response = client.get("/leads")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_enterprise_cannot_browse_leads(client, auth, make):
    login(auth, make.enterprise())
    assert client.get("/leads").status_code == 403


def test_only_published_demands_are_listed(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, title="公开的外观需求")
    make.demand(owner, status=DemandStatus.DRAFT, title="草稿需求")
    make.demand(owner, status=DemandStatus.IN_REVIEW, title="审核中需求")
    make.demand(owner, status=DemandStatus.REJECTED, title="被驳回需求")
    login(auth, make.provider())
    html = page(client.get("/leads"))
    assert titles(html) == ["公开的外观需求"]
    assert "共 1 条需求" in html


def test_admin_can_browse_leads(client, auth, make):
    make.demand(make.enterprise(), title="公开的外观需求")
    login(auth, make.admin())
    assert "公开的外观需求" in page(client.get("/leads"))


def test_chinese_search_finds_a_demand(client, auth, make):
    owner = make.enterprise()
    make.demand(
        owner,
        title="产品外观造型设计",
        description="一款电动工具的外观造型。",
        cluster="smart-equipment",
    )
    make.demand(
        owner,
        title="食品包装升级",
        description="礼盒包装和品牌视觉。",
        cluster="food-agri",
        services=["packaging-design"],
    )
    login(auth, make.provider())
    html = page(client.get("/leads", query_string={"q": "外观设计"}))
    assert titles(html)[0] == "产品外观造型设计"
    assert "食品包装升级" not in titles(html)
    assert 'value="外观设计"' in html  # the query stays in the box


def test_facets_have_counts_and_filter(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, title="汽车一", cluster="nev-ice")
    make.demand(owner, title="汽车二", cluster="nev-ice", region="liangjiang")
    make.demand(owner, title="摩托一", cluster="motorcycle", services=["structural-design"])
    login(auth, make.provider())
    html = page(client.get("/leads"))
    assert facet_count(html, "cluster", "nev-ice") == 2
    assert facet_count(html, "cluster", "motorcycle") == 1
    assert facet_count(html, "region", "yongchuan") == 2
    assert facet_count(html, "service", "structural-design") == 1
    html = page(client.get("/leads", query_string={"cluster": "nev-ice"}))
    assert sorted(titles(html)) == ["汽车一", "汽车二"]
    assert re.search(r'name="cluster" value="nev-ice" checked', html)
    # OR within a facet
    html = page(
        client.get("/leads", query_string=[("cluster", "nev-ice"), ("cluster", "motorcycle")])
    )
    assert len(titles(html)) == 3
    # AND across facets
    html = page(client.get("/leads", query_string={"cluster": "nev-ice", "region": "liangjiang"}))
    assert titles(html) == ["汽车二"]


def test_budget_bands_have_counts_and_filter(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, title="小项目", budget_min=10000, budget_max=30000)
    make.demand(owner, title="中项目", budget_min=100000, budget_max=150000)
    make.demand(owner, title="大项目", budget_min=2000000, budget_max=3000000)
    login(auth, make.provider())
    html = page(client.get("/leads"))
    assert facet_count(html, "budget", "lt50k") == 1
    assert facet_count(html, "budget", "50k-200k") == 1
    assert facet_count(html, "budget", "gt1m") == 1
    assert titles(page(client.get("/leads", query_string={"budget": "gt1m"}))) == ["大项目"]


def test_budget_bands_partition_the_results(client, auth, make):
    """Each demand is counted once, under the top of its budget; the counts add up."""
    owner = make.enterprise()
    make.demand(owner, title="跨档", budget_min=80000, budget_max=300000)  # top 300k
    make.demand(owner, title="恰好二十万", budget_min=50000, budget_max=200000)  # top 200k
    make.demand(owner, title="只有下限", budget_min=600000, budget_max=None)
    make.demand(owner, title="面议", budget_min=None, budget_max=None)
    login(auth, make.provider())
    html = page(client.get("/leads"))
    counts = {
        band: facet_count(html, "budget", band)
        for band in ("50k-200k", "200k-500k", "500k-1m", "none")
    }
    assert counts == {"50k-200k": 1, "200k-500k": 1, "500k-1m": 1, "none": 1}
    assert facet_count(html, "budget", "lt50k") is None  # empty bands are not offered
    assert "共 4 条需求" in html
    assert titles(page(client.get("/leads", query_string={"budget": "200k-500k"}))) == ["跨档"]
    assert titles(page(client.get("/leads", query_string={"budget": "none"}))) == ["面议"]
    # other filters narrow the bands too
    html = page(client.get("/leads", query_string={"q": "面议"}))
    assert (
        facet_count(html, "budget", "none") == 1 and facet_count(html, "budget", "500k-1m") is None
    )


def test_no_results_leave_no_empty_facet_headings(client, auth, make):
    make.demand(make.enterprise(), title="外观设计")
    login(auth, make.provider())
    html = page(client.get("/leads", query_string={"q": "不存在的关键词组合"}))
    assert "没有符合条件的需求" in html
    for heading in ("产业集群", "设计服务", "区县", "预算"):
        assert f"<legend>{heading}</legend>" not in html
    assert "<summary>筛选条件" not in html and "应用筛选" not in html  # no empty panel either
    chosen = page(
        client.get("/leads", query_string={"q": "不存在的关键词组合", "region": "beibei"})
    )
    assert (
        "清除筛选" in chosen
        and '<input type="checkbox" name="region" value="beibei" checked>' in chosen
    )


def test_the_list_marks_invitations_and_answers(client, auth, make):
    owner, provider = make.enterprise(), make.provider()
    invited = make.demand(owner, title="受邀需求")
    answered = make.demand(owner, title="已答复需求")
    make.demand(owner, title="其他需求")
    make.interest(provider, answered)
    auth.login(owner.email)
    client.post(f"/demands/{invited.id}/invite/{provider.organization.provider.id}")
    auth.logout()
    login(auth, provider)
    html = page(client.get("/leads"))
    cards = dict(re.findall(r'<h2><a href="/demands/\d+">(.*?)</a>(.*?)</h2>', html, re.S))
    assert "邀请您参与" in cards["受邀需求"] and "已表达意向" not in cards["受邀需求"]
    assert "已表达意向 · 待回复" in cards["已答复需求"]
    assert "tag" not in cards["其他需求"]


def test_sort_by_budget_and_newest(client, auth, make):
    owner = make.enterprise()
    make.demand(owner, title="第一", budget_min=10000, budget_max=20000)
    make.demand(owner, title="第二", budget_min=500000, budget_max=900000)
    make.demand(owner, title="第三", budget_min=100000, budget_max=200000)
    login(auth, make.provider())
    assert titles(page(client.get("/leads", query_string={"sort": "budget"}))) == [
        "第二",
        "第三",
        "第一",
    ]
    assert titles(page(client.get("/leads", query_string={"sort": "newest"})))[0] == "第三"
    assert client.get("/leads", query_string={"sort": "bogus", "page": "x"}).status_code == 200


def test_pagination_keeps_repeated_parameters(client, auth, make, monkeypatch):
    from matchmaker.web.demands import routes

    monkeypatch.setattr(routes, "PER_PAGE", 2)
    owner = make.enterprise()
    for n in range(5):
        make.demand(owner, title=f"需求{n}", cluster="nev-ice" if n % 2 else "motorcycle")
    login(auth, make.provider())
    html = page(
        client.get(
            "/leads",
            query_string=[("cluster", "nev-ice"), ("cluster", "motorcycle"), ("sort", "newest")],
        )
    )
    assert len(titles(html)) == 2 and "第 1 / 3 页" in html
    href = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    params = parse_qs(urlparse(href).query)
    assert params["cluster"] == ["nev-ice", "motorcycle"] and params["page"] == ["2"]
    assert params["sort"] == ["newest"]
    html = page(client.get(href))
    assert "第 2 / 3 页" in html and len(titles(html)) == 2


def test_recommended_leads_with_reasons(client, auth, make):
    make.demand(make.enterprise(), title="新能源汽车外观设计")
    login(auth, make.provider())
    html = page(client.get("/leads"))
    panel = html.split('id="recommended-title"')[1]
    assert "新能源汽车外观设计" in panel and 'class="reasons"' in panel


def test_answered_leads_are_not_recommended_again(client, auth, make):
    demand = make.demand(make.enterprise(), title="已回复的需求")
    provider = make.provider()
    make.interest(provider, demand)
    login(auth, provider)
    panel = page(client.get("/leads")).split('id="recommended-title"')[1]
    assert "已回复的需求" not in panel


def test_provider_without_profile_sees_leads_and_a_hint(client, auth, make):
    make.demand(make.enterprise(), title="公开的外观需求")
    login(auth, make.provider(profile=False))
    html = page(client.get("/leads"))
    assert "公开的外观需求" in html and "完善服务能力档案后" in html


@pytest.mark.parametrize("method", ["search", "match_leads"])
def test_search_outage_shows_a_notice_not_an_error(client, auth, make, method, monkeypatch):
    make.demand(make.enterprise())
    backend = get_search()

    def down(*args, **kwargs):
        raise SearchUnavailable("connection refused")

    monkeypatch.setattr(backend, method, down)
    login(auth, make.provider())
    response = client.get("/leads")
    assert response.status_code == 200
    assert "搜索服务暂时不可用" in page(response)


def test_pagination_ignores_names_url_for_reserves(client, auth, make, monkeypatch):
    from matchmaker.web.demands import routes

    monkeypatch.setattr(routes, "PER_PAGE", 1)
    owner = make.enterprise()
    for n in range(2):
        make.demand(owner, title=f"需求{n}")
    login(auth, make.provider())
    response = client.get(
        "/leads", query_string={"endpoint": "x", "_external": "1", "_anchor": "y", "q": ""}
    )
    assert response.status_code == 200
    href = re.search(r'<a rel="next" href="([^"]+)"', page(response)).group(1).replace("&amp;", "&")
    assert href.startswith("/leads?") and "#" not in href
    assert parse_qs(urlparse(href).query, keep_blank_values=True) == {"q": [""], "page": ["2"]}


def test_a_filtered_search_can_be_saved_as_an_alert(client, auth, make):
    make.demand(make.enterprise(), title="外观需求")
    login(auth, make.provider())
    assert 'action="/alerts"' not in page(client.get("/leads"))  # nothing to save yet
    html = page(
        client.get(
            "/leads",
            query_string=[("q", "外观"), ("service", "appearance-design"), ("region", "yongchuan")],
        )
    )
    form = html.split('class="save-search-form"')[1].split("</form>")[0]
    assert 'name="q" value="外观"' in form
    assert (
        'name="service" value="appearance-design"' in form
        and 'name="region" value="yongchuan"' in form
    )
    assert 'name="name"' in form and 'value="外观"' in form
    response = client.post(
        "/alerts", data={"name": "外观", "q": "外观", "service": ["appearance-design"]}
    )
    assert response.status_code == 302
    html = page(client.get("/alerts"))
    assert "外观" in html and "外观设计" in html  # the service filter shown by its label
