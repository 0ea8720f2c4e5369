"""One test module, run against both backends (see conftest ``backend``)."""

from __future__ import annotations

import threading
from itertools import pairwise

import pytest

from search import DEMANDS, INDICES, PROVIDERS, Reason, SearchQuery
from search.schema import VERSION
from search.scoring import DAMPING
from tests.contract import REASON_CODES


def provider(id, **kw):
    record = {
        "id": id,
        "version": 1,
        "name": f"服务商{id}",
        "kind": "design-firm",
        "level": "none",
        "region": "jiulongpo",
        "clusters": ["smart-equipment"],
        "services": ["appearance-design"],
        "description": "",
        "cases": [],
        "team_size": 20,
        "price_min": 50_000,
        "price_max": 500_000,
        "verified": False,
        "certifications": [],
        "created_at": f"2026-01-{id % 28 + 1:02d}T08:00:00",
    }
    record.update(kw)
    return record


def demand(id, **kw):
    record = {
        "id": id,
        "version": 1,
        "title": f"需求{id}",
        "description": "",
        "cluster": "smart-equipment",
        "services": ["appearance-design"],
        "region": "yongchuan",
        "budget_min": 100_000,
        "budget_max": 300_000,
        "deadline": "2027-06-30",
        "status": "published",
        "organization_name": "某企业",
        "created_at": f"2026-02-{id % 28 + 1:02d}T08:00:00",
        "published_at": f"2026-02-{id % 28 + 1:02d}T09:00:00",
    }
    record.update(kw)
    return record


def ids(page):
    return [h.id for h in page.hits]


def search(backend, index, **kw):
    return backend.search(SearchQuery(index=index, **kw))


# -- text, segmentation, synonyms --------------------------------------------------------
def test_synonyms_reach_documents(backend):
    backend.index(
        PROVIDERS,
        [
            provider(1, description="专注产品外观造型设计与CMF方案", services=["cmf-design"]),
            provider(2, description="提供样机制作、小批量试产", services=["pilot-production"]),
            provider(
                3, description="服务智能网联新能源汽车整车企业的座舱开发", services=["ui-design"]
            ),
            provider(4, description="食品包装机械的电气控制改造", services=["process-design"]),
        ],
    )
    backend.refresh()
    assert ids(search(backend, PROVIDERS, text="外观设计")) == [1]
    assert ids(search(backend, PROVIDERS, text="手板")) == [2]
    assert ids(search(backend, PROVIDERS, text="新能源汽车")) == [3]
    assert ids(search(backend, PROVIDERS, text="造型")) == [1]
    # every query word must match (AND across words)
    assert ids(search(backend, PROVIDERS, text="外观设计 手板")) == []
    assert search(backend, PROVIDERS, text="不存在的词汇").total == 0


def test_text_relevance_orders_hits(backend):
    backend.index(
        PROVIDERS,
        [
            provider(1, description="包装设计"),
            provider(2, description="包装设计，食品包装、礼盒包装与品牌包装设计，包装结构"),
            provider(3, description="结构设计"),
        ],
    )
    backend.refresh()
    page = search(backend, PROVIDERS, text="礼盒包装")
    assert ids(page)[0] == 2
    assert all(a.score >= b.score for a, b in pairwise(page.hits))


# -- facets, filters, sorting, pagination -----------------------------------------------
DEMAND_COLUMNS = ("id", "cluster", "services", "region", "budget_min", "budget_max", "title",
                  "status")  # fmt: skip
DEMAND_TABLE = [
    (1, "nev-ice", ["appearance-design", "cmf-design"], "liangjiang", 800_000, 1_500_000,
     "纯电SUV前脸造型", "published"),
    (2, "nev-ice", ["structural-design"], "jiangjin", 200_000, 500_000,
     "电池包上盖减重结构", "published"),
    (3, "motorcycle", ["structural-design", "design-validation"], "banan", 300_000, 700_000,
     "越野摩托车车架", "published"),
    (4, "food-agri", ["packaging-design"], "yongchuan", 50_000, 120_000,
     "火锅底料礼盒包装", "published"),
    (5, "food-agri", ["packaging-design", "brand-strategy"], "yongchuan", None, None,
     "茶叶品牌包装", "published"),
    (6, "nev-ice", ["appearance-design"], "liangjiang", 100_000, 200_000,
     "已关闭的造型需求", "closed"),
]  # fmt: skip


def _demands(backend):
    rows = [dict(zip(DEMAND_COLUMNS, row, strict=True)) for row in DEMAND_TABLE]
    backend.index(DEMANDS, [demand(**row) for row in rows])
    backend.refresh()


def _facet(page, name):
    return {fv.code: fv.count for fv in page.facets[name]}


def test_facets_or_within_and_across(backend):
    _demands(backend)
    published = {"status": ["published"]}
    page = search(backend, DEMANDS, filters=published, facets=["cluster", "service", "region"])
    assert page.total == 5
    assert _facet(page, "cluster") == {"nev-ice": 2, "motorcycle": 1, "food-agri": 2}
    assert _facet(page, "service")["structural-design"] == 2
    assert _facet(page, "region") == {"liangjiang": 1, "jiangjin": 1, "banan": 1, "yongchuan": 2}

    page = search(
        backend,
        DEMANDS,
        filters={**published, "cluster": ["nev-ice", "motorcycle"]},
        facets=["cluster", "region"],
        sort="newest",
    )
    assert sorted(ids(page)) == [1, 2, 3]  # OR within a field
    # a field's own filter does not narrow its facet; the others do
    assert _facet(page, "cluster") == {"nev-ice": 2, "motorcycle": 1, "food-agri": 2}
    assert _facet(page, "region") == {"liangjiang": 1, "jiangjin": 1, "banan": 1}

    page = search(
        backend,
        DEMANDS,
        filters={
            **published,
            "cluster": ["nev-ice", "motorcycle"],
            "service": ["structural-design"],
        },
    )
    assert sorted(ids(page)) == [2, 3]  # AND across fields
    page = search(
        backend, DEMANDS, filters={**published, "cluster": ["nev-ice"], "region": ["banan"]}
    )
    assert page.total == 0
    page = search(backend, DEMANDS, filters={"status": ["published", "closed"]})
    assert page.total == 6


def test_budget_overlap_sort_and_pagination(backend):
    _demands(backend)
    published = {"status": ["published"]}
    page = search(backend, DEMANDS, filters=published, budget_min=400_000, budget_max=900_000)
    assert sorted(ids(page)) == [1, 2, 3]
    page = search(backend, DEMANDS, filters=published, budget_max=100_000)
    assert ids(page) == [4]

    by_budget = search(backend, DEMANDS, filters=published, sort="budget")
    assert ids(by_budget) == [1, 3, 2, 4, 5]  # no budget last
    newest = search(backend, DEMANDS, filters=published, sort="newest")
    assert ids(newest) == [5, 4, 3, 2, 1]

    page1 = search(backend, DEMANDS, filters=published, sort="newest", per_page=2, page=1)
    page2 = search(backend, DEMANDS, filters=published, sort="newest", per_page=2, page=2)
    page3 = search(backend, DEMANDS, filters=published, sort="newest", per_page=2, page=3)
    assert (ids(page1), ids(page2), ids(page3)) == ([5, 4], [3, 2], [1])
    assert page3.total == 5 and page3.page == 3 and page3.per_page == 2

    page = search(backend, DEMANDS, text="包装", filters=published)
    assert sorted(ids(page)) == [4, 5]
    page = search(backend, DEMANDS, ids=[1, 4, 6], filters=published)
    assert sorted(ids(page)) == [1, 4]


def test_budget_bands_by_the_top_of_the_budget_partition(backend):
    """Tops: 1 → 1.5M, 2 → 500k, 3 → 700k, 4 → 120k, 5 → none."""
    _demands(backend)
    published = {"status": ["published"]}
    bands = {
        "≤200k": (None, 200_000),
        "(200k, 500k]": (200_000, 500_000),
        "(500k, 1M]": (500_000, 1_000_000),
        ">1M": (1_000_000, None),
    }
    found = {
        name: sorted(ids(search(backend, DEMANDS, filters=published, budget_top=band)))
        for name, band in bands.items()
    }
    assert found == {"≤200k": [4], "(200k, 500k]": [2], "(500k, 1M]": [3], ">1M": [1]}
    none = search(backend, DEMANDS, filters=published, without_budget=True)
    assert ids(none) == [5]


def test_provider_filters_level_kind_verified(backend):
    backend.index(
        PROVIDERS,
        [
            provider(1, level="national", kind="enterprise-design-center", verified=True),
            provider(2, level="municipal", kind="design-firm", verified=True),
            provider(3, level="none", kind="studio", verified=False),
        ],
    )
    backend.refresh()
    page = search(backend, PROVIDERS, filters={"verified": ["true"]}, facets=["level", "verified"])
    assert sorted(ids(page)) == [1, 2]
    assert _facet(page, "verified") == {"true": 2, "false": 1}
    assert _facet(page, "level") == {"national": 1, "municipal": 1}
    page = search(backend, PROVIDERS, filters={"kind": ["studio", "design-firm"]})
    assert sorted(ids(page)) == [2, 3]


# -- versioning -------------------------------------------------------------------------
def test_older_version_never_overwrites(backend):
    backend.index(PROVIDERS, [provider(1, version=3, description="数控机床防护罩设计")])
    backend.index(PROVIDERS, [provider(1, version=2, description="家具设计")])
    backend.refresh()
    assert ids(search(backend, PROVIDERS, text="机床")) == [1]
    assert ids(search(backend, PROVIDERS, text="家具")) == []
    backend.index(PROVIDERS, [provider(1, version=4, description="家具设计")])
    backend.refresh()
    assert ids(search(backend, PROVIDERS, text="家具")) == [1]


def test_delete_leaves_tombstone(backend):
    backend.index(PROVIDERS, [provider(1, version=1), provider(2, version=1)])
    backend.refresh()
    backend.delete(PROVIDERS, [(1, 5)])
    backend.refresh()
    assert ids(search(backend, PROVIDERS)) == [2]
    backend.index(PROVIDERS, [provider(1, version=4)])  # older than the delete
    backend.refresh()
    assert ids(search(backend, PROVIDERS)) == [2]
    backend.delete(PROVIDERS, [(9, 3)])  # delete before the write
    backend.index(PROVIDERS, [provider(9, version=2)])
    backend.refresh()
    assert 9 not in ids(search(backend, PROVIDERS))
    backend.index(PROVIDERS, [provider(1, version=6)])
    backend.refresh()
    assert sorted(ids(search(backend, PROVIDERS))) == [1, 2]
    assert {s.index: s.documents for s in backend.status()}[PROVIDERS] == 2


# -- matching -----------------------------------------------------------------------------
def _pool(backend):
    backend.index(
        PROVIDERS,
        [
            provider(
                1,
                name="永川智造设计",
                level="municipal",
                kind="enterprise-design-center",
                region="yongchuan",
                verified=True,
                clusters=["smart-equipment"],
                services=["appearance-design", "structural-design", "prototyping"],
                description="专注数控机床、包装机械的外观与钣金结构设计，可做样机。",
                cases=[
                    {
                        "title": "立式加工中心防护罩改型",
                        "description": "数控机床外观与钣金结构设计",
                        "cluster": "smart-equipment",
                        "year": 2024,
                    }
                ],
                team_size=30,
                price_min=80_000,
                price_max=800_000,
            ),
            provider(
                2,
                name="渝北电子外观",
                region="liangjiang",
                clusters=["electronics"],
                services=["appearance-design", "cmf-design"],
                description="消费电子外观与CMF设计。",
                team_size=25,
                price_min=50_000,
                price_max=500_000,
            ),
            provider(
                3,
                name="贵价设计院",
                level="national",
                kind="design-institute",
                region="jiulongpo",
                clusters=["smart-equipment"],
                services=["appearance-design", "structural-design"],
                description="大型装备整机设计。",
                team_size=200,
                price_min=3_000_000,
                price_max=20_000_000,
            ),
            provider(
                4,
                name="两人工作室",
                kind="studio",
                region="yongchuan",
                clusters=["smart-equipment"],
                services=["appearance-design", "structural-design"],
                description="机床外观设计。",
                team_size=2,
                price_min=10_000,
                price_max=100_000,
            ),
            provider(
                5,
                name="成都装备设计",
                region="other",
                clusters=["smart-equipment"],
                services=["structural-design"],
                description="装备结构设计。",
                team_size=40,
                price_min=100_000,
                price_max=1_000_000,
            ),
        ],
    )
    backend.refresh()


def test_match_providers_reasons_and_scores(backend):
    _pool(backend)
    need = demand(
        100,
        title="数控机床防护罩外观与结构设计",
        cluster="smart-equipment",
        services=["appearance-design", "structural-design"],
        region="yongchuan",
        description="立式加工中心防护罩需要重新做外观和钣金结构设计，需要样机。",
        budget_min=200_000,
        budget_max=400_000,
    )
    hits = backend.match_providers(need, k=10)
    assert [h.id for h in hits][0] == 1
    assert 2 not in [h.id for h in hits][:3]
    scores = [h.score for h in hits]
    assert all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    top = hits[0]
    labels = {r.code: r for r in top.reasons}
    assert set(labels) <= REASON_CODES
    assert top.reasons[0].code in ("cluster", "case", "text")  # the largest contributions first
    assert labels["cluster"] == Reason("cluster", "cluster.same", {"cluster": "smart-equipment"})
    assert labels["service"] == Reason(
        "service", "service.offers", {"services": ("appearance-design", "structural-design")}
    )
    assert labels["region"] == Reason("region", "region.local", {"region": "yongchuan"})
    assert labels["level"] == Reason(
        "level", "level", {"level": "municipal", "kind": "enterprise-design-center"}
    )
    # A reason only for what moved it: verification is no signal (it did not rank).
    assert "verified" not in labels
    assert labels["budget"] == Reason("budget", "budget.fits", {})
    assert labels["case"] == Reason("case", "case.named", {"title": "立式加工中心防护罩改型"})
    assert "text" in labels
    for hit in hits:
        assert hit.reasons and all(r.code in REASON_CODES for r in hit.reasons)
    # the expensive institute and the tiny studio rank below the good local fit
    order = [h.id for h in hits]
    assert order.index(1) < order.index(3) and order.index(1) < order.index(4)
    assert [h.id for h in backend.match_providers(need, k=2, exclude=[1])][0] != 1
    assert len(backend.match_providers(need, k=2)) == 2


def test_industry_inferred_from_text_reaches_the_right_cluster(backend):
    """A medical device filed under "other manufacturing": the text decides the industry, by
    the clusters of the provider cases nearest to it."""
    base = dict(services=["appearance-design"], team_size=20, price_min=50_000, price_max=500_000)
    backend.index(
        PROVIDERS,
        [
            provider(
                1,
                **base,
                clusters=["biomedicine"],
                description="医疗器械外观与结构设计，熟悉注册检验和临床反馈。",
                cases=[
                    {
                        "title": "手持式血氧仪外观设计",
                        "description": "家用医疗器械外壳、按键和显示屏结构，通过注册检验。",
                        "cluster": "biomedicine",
                    }
                ],
            ),
            provider(
                2,
                **base,
                clusters=["food-agri"],
                description="食品包装与品牌设计。",
                cases=[
                    {
                        "title": "火锅底料礼盒",
                        "description": "食品包装和品牌视觉。",
                        "cluster": "food-agri",
                    }
                ],
            ),
        ],
    )
    backend.refresh()
    need = demand(
        100,
        title="便携式血糖仪外观与结构设计",
        description="家用医疗器械，需要符合医疗器械注册检验要求，外壳防护、按键和显示屏结构，"
        "配合临床试用反馈改进。",
        cluster="other-manufacturing",
    )
    hits = backend.match_providers(need, k=10)
    assert [h.id for h in hits][0] == 1
    cluster = next(r for r in hits[0].reasons if r.code == "cluster")
    assert cluster == Reason("cluster", "cluster.inferred", {"cluster": "biomedicine"})
    assert not any(r.code == "cluster" for h in hits[1:] for r in h.reasons)


def test_exposure_damping(backend):
    base = dict(
        clusters=["smart-equipment"],
        services=["appearance-design"],
        region="jiulongpo",
        description="装备外观设计",
        team_size=20,
        price_min=50_000,
        price_max=500_000,
    )
    backend.index(PROVIDERS, [provider(i, **base) for i in (1, 2, 3)])
    backend.refresh()
    need = demand(100, title="装备外观设计", services=["appearance-design"])
    plain = {h.id: h.score for h in backend.match_providers(need, k=10)}
    assert plain[1] == plain[2] == plain[3]
    hits = {h.id: h.score for h in backend.match_providers(need, k=10, damped=[1])}
    assert hits[2] == hits[3] == plain[2]  # the others are not touched
    assert hits[1] == pytest.approx(DAMPING * plain[1], abs=1e-6)  # damped, but bounded
    assert [h.id for h in backend.match_providers(need, k=3, damped=[1])][-1] == 1


def test_match_leads_only_published(backend):
    _demands(backend)
    backend.index(
        DEMANDS,
        [
            demand(
                7,
                cluster="nev-ice",
                services=["appearance-design"],
                status="in_negotiation",
                title="谈判中的造型需求",
            )
        ],
    )
    backend.refresh()
    me = provider(
        50,
        clusters=["nev-ice"],
        services=["appearance-design", "cmf-design"],
        region="liangjiang",
        description="整车外观造型与CMF设计",
        cases=[
            {
                "title": "纯电SUV改款造型",
                "description": "前脸造型",
                "cluster": "nev-ice",
                "year": 2024,
            }
        ],
        team_size=60,
        price_min=300_000,
        price_max=3_000_000,
    )
    hits = backend.match_leads(me, k=10)
    got = [h.id for h in hits]
    assert got and got[0] == 1
    assert 6 not in got and 7 not in got
    assert all(h.reasons for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    top = {r.code: r for r in hits[0].reasons}
    assert top["cluster"] == Reason("cluster", "cluster.same", {"cluster": "nev-ice"})
    assert top["service"] == Reason(
        "service", "service.needs", {"services": ("appearance-design", "cmf-design")}
    )
    assert 1 not in [h.id for h in backend.match_leads(me, k=10, exclude=[1])]


# -- lifecycle ----------------------------------------------------------------------------
def test_reindex_swaps_and_keeps_serving(backend):
    backend.index(PROVIDERS, [provider(1, description="机床外观设计"), provider(2)])
    backend.refresh()
    before = {s.index: s for s in backend.status()}
    assert before[PROVIDERS].documents == 2 and len(before[PROVIDERS].concrete) == 1
    progress = []
    records = [provider(i, description="机床外观设计") for i in range(1, 1201)]
    count = backend.reindex(PROVIDERS, iter(records), progress=progress.append)
    assert count == 1200
    assert progress and progress[-1] == 1200 and progress == sorted(progress)
    backend.refresh()
    after = {s.index: s for s in backend.status()}
    assert after[PROVIDERS].documents == 1200
    assert len(after[PROVIDERS].concrete) == 1
    assert after[PROVIDERS].concrete != before[PROVIDERS].concrete
    assert after[PROVIDERS].alias == before[PROVIDERS].alias
    assert after[DEMANDS].concrete == before[DEMANDS].concrete
    assert search(backend, PROVIDERS, text="机床").total == 1200
    backend.index(PROVIDERS, [provider(5000)])  # writes go to the new index
    backend.refresh()
    assert {s.index: s.documents for s in backend.status()}[PROVIDERS] == 1201


def test_reindex_reads_records_in_the_calling_thread(backend):
    """A rebuild's records come from the caller's database session: they are read in the
    caller's thread, however many bulk requests are sent at once."""
    threads = set()

    def records():
        for i in range(1, 1601):
            threads.add(threading.get_ident())
            yield provider(i)

    assert backend.reindex(PROVIDERS, records()) == 1600
    assert threads == {threading.get_ident()}
    backend.refresh()
    assert {s.index: s.documents for s in backend.status()}[PROVIDERS] == 1600


def test_status_lists_aliases(backend):
    _demands(backend)
    status = {s.index: s for s in backend.status()}
    assert set(status) == set(INDICES)
    assert status[DEMANDS].documents == 6 and status[PROVIDERS].documents == 0
    for s in status.values():
        assert s.alias.endswith(s.index)
        prefix = f"{s.alias}-v{VERSION[s.index]}-"
        assert s.concrete and all(c.startswith(prefix) for c in s.concrete)
