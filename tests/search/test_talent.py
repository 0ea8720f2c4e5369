"""The talent matcher (people ↔ talent needs) on both backends: ranking, reasons, privacy."""

from __future__ import annotations

import pytest

from search import EXPERTS, OPENINGS, TALENT, Reason, SearchQuery
from search import talent as talent_signals
from search.scoring import build_spec
from search.text import get_analyzer


def person(pid: int, **fields) -> dict:
    record = {
        "id": pid,
        "version": 1,
        "specialities": ["appearance-design"],
        "clusters": ["smart-equipment"],
        "region": "yongchuan",
        "title": "intermediate",
        "title_rank": 2,
        "years": 5,
        "seniority": "mid",
        "availability": "available",
        "bio": "",
        "works": [],
        "created_at": f"2026-01-{pid:02d}T00:00:00",
    }
    record.update(fields)
    return record


def need(nid: int, **fields) -> dict:
    record = {
        "id": nid,
        "version": 1,
        "title": "工业设计师",
        "description": "负责产品外观设计。",
        "specialities": ["appearance-design"],
        "clusters": ["smart-equipment"],
        "region": "yongchuan",
        "title_min_rank": 0,
        "years_min": 0,
        "headcount": 1,
        "salary_min": 8_000,
        "salary_max": 15_000,
        "status": "open",
        "created_at": f"2026-02-{nid:02d}T00:00:00",
    }
    record.update(fields)
    return record


def _people(backend):
    backend.index(
        TALENT,
        [
            person(
                1,
                specialities=["appearance-design", "structural-design"],
                title="associate-senior",
                title_rank=3,
                years=12,
                bio="十余年数控机床防护罩外观与钣金结构设计经验。",
                works=[{"title": "立式加工中心防护罩", "description": "外观与钣金结构"}],
            ),
            person(
                2,
                specialities=["packaging-design"],
                clusters=["food-agri"],
                region="jiulongpo",
                bio="食品包装与品牌视觉设计。",
                availability="unavailable",
            ),
            person(
                3, title="junior", title_rank=1, years=1, region="jiulongpo", availability="open"
            ),
            person(4, specialities=["structural-design"], clusters=["nev-ice"], years=8),
        ],
    )
    backend.refresh()


def test_match_talent_ranks_by_speciality_cluster_and_seniority(backend):
    _people(backend)
    wanted = need(
        100,
        title="资深结构与外观设计师",
        description="数控机床防护罩的外观和钣金结构设计。",
        specialities=["appearance-design", "structural-design"],
        title_min_rank=3,
        years_min=8,
    )
    hits = backend.match_people(wanted, k=10)
    order = [h.id for h in hits]
    assert order[0] == 1
    assert 2 not in order  # nothing in common: meaning alone admits nobody
    assert order.index(3) > 0 and order.index(4) > 0
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    top = {r.code: r for r in hits[0].reasons}
    assert set(top) <= set(talent_signals.REASON_CODES)
    assert top["speciality"] == Reason(
        "speciality",
        "talent.speciality",
        {"services": ("appearance-design", "structural-design")},
    )
    assert top["cluster"] == Reason("cluster", "cluster.same", {"cluster": ("smart-equipment",)})
    assert top["region"] == Reason("region", "region.local", {"region": "yongchuan"})
    assert top["availability"] == Reason("availability", "talent.available", {})
    assert top["seniority"].message in ("talent.title", "talent.experience")
    assert 1 not in [h.id for h in backend.match_people(wanted, k=10, exclude=[1])]


def test_availability_and_seniority_break_ties(backend):
    """Same card but availability: available now > open to offers > unavailable."""
    backend.index(
        TALENT,
        [
            person(1, availability="unavailable"),
            person(2, availability="open"),
            person(3, availability="available"),
        ],
    )
    backend.refresh()
    assert [h.id for h in backend.match_people(need(100), k=10)] == [3, 2, 1]
    reasons = {h.id: {r.code: r for r in h.reasons} for h in backend.match_people(need(100))}
    assert reasons[2]["availability"] == Reason("availability", "talent.open", {})
    assert "availability" not in reasons[1]


def test_match_openings_only_open_needs(backend):
    backend.index(
        OPENINGS,
        [
            need(1, specialities=["appearance-design", "structural-design"], years_min=3),
            need(2, specialities=["packaging-design"], clusters=["food-agri"], region="jiulongpo"),
            need(3, status="closed"),
            need(4, title_min_rank=4, years_min=15),
        ],
    )
    backend.refresh()
    me = person(
        50,
        specialities=["appearance-design", "structural-design"],
        bio="机床外观设计",
        years=6,
    )
    hits = backend.match_openings(me, k=10)
    order = [h.id for h in hits]
    assert order[0] == 1 and 3 not in order and 2 not in order
    assert order.index(4) > order.index(1)  # asks for more than this person has
    top = {r.code: r for r in hits[0].reasons}
    assert top["speciality"] == Reason(
        "speciality", "talent.speciality", {"services": ("appearance-design", "structural-design")}
    )
    assert top["seniority"].message in ("talent.title", "talent.experience")
    assert 1 not in [h.id for h in backend.match_openings(me, k=10, exclude=[1])]


def test_the_pool_is_searched_by_its_labels_never_by_private_words(backend):
    _people(backend)
    by_label = backend.search(SearchQuery(index=TALENT, text="包装设计"))
    assert [h.id for h in by_label.hits] == [2]
    # Words of private bios find nobody.
    for word in ("视觉", "数控机床", "钣金", "十余年"):
        assert backend.search(SearchQuery(index=TALENT, text=word)).total == 0
    faceted = backend.search(
        SearchQuery(
            index=TALENT,
            filters={"region": ["yongchuan"]},
            facets=("speciality", "seniority", "availability"),
        )
    )
    assert sorted(h.id for h in faceted.hits) == [1, 4]
    counts = {f.code: f.count for f in faceted.facets["availability"]}
    assert counts == {"available": 2}
    with pytest.raises(ValueError):
        backend.search(SearchQuery(index=TALENT, budget_min=1))


def test_openings_filter_on_their_salary_band(backend):
    backend.index(
        OPENINGS,
        [need(1, salary_min=6_000, salary_max=9_000), need(2, salary_min=20_000, salary_max=None)],
    )
    backend.refresh()
    page = backend.search(SearchQuery(index=OPENINGS, budget_min=10_000))
    assert [h.id for h in page.hits] == [2]


def test_one_machinery_two_tables(taxonomy):
    """The talent table is its own rows and weights, built by the design matcher's spec
    builder and explained by its reasons function."""
    assert talent_signals.TABLE.names == tuple(s.name for s in talent_signals.SIGNALS)
    assert set(talent_signals.TABLE.weights(TALENT)) == set(talent_signals.TABLE.names)
    assert not {s.name for s in talent_signals.SIGNALS} & {"budget", "level_national", "case_text"}
    spec = talent_signals.talent_spec(need(1), taxonomy, get_analyzer(taxonomy))
    assert spec.table is talent_signals.TABLE and spec.index == TALENT
    assert {c.name.split(":")[0] for c in spec.clauses} <= set(talent_signals.TABLE.names)
    assert talent_signals.build_spec is build_spec


def test_experts_are_matched_as_people_and_excluded_by_id(backend):
    """A diagnosis request is a need for experts: same table, the experts' own index."""
    backend.index(
        EXPERTS,
        [
            person(1, specialities=["structural-design"], bio="装备结构诊断"),
            person(2, specialities=["appearance-design", "structural-design"], bio="机床外观结构"),
            person(3, specialities=["packaging-design"], clusters=["food-agri"]),
        ],
    )
    backend.refresh()
    request = need(
        9,
        title="数控机床产品线",
        description="外观老旧，结构件成本高",
        specialities=["appearance-design", "structural-design"],
    )
    assert [h.id for h in backend.match_people(request, k=3, pool=EXPERTS)][:2] == [2, 1]
    assert backend.match_people(request, k=10, pool=TALENT) == []  # the pools are apart
    excluded = [h.id for h in backend.match_people(request, k=10, exclude=[2], pool=EXPERTS)]
    assert 2 not in excluded and excluded[0] == 1
    with pytest.raises(ValueError):
        backend.match_people(request, pool=OPENINGS)
