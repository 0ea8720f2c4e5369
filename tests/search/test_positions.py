"""The embedded matcher's arrays by document position agree exactly with the id sets.

``search.backends.positions`` evaluates the first phase of matching with numpy; the id-set
and dict evaluation in ``embedded._Index`` (still used by faceted search) is the reference.
Every condition of real specifications, and constructed ones of every kind, must give the
same documents and the same scores to the last bit on constructed records.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from search import DEMANDS, PROVIDERS
from search.scoring import (
    All,
    Any,
    Best,
    Coverage,
    Not,
    Range,
    Similar,
    Term,
    Terms,
    Text,
    Value,
    lead_spec,
    provider_spec,
)
from tests.search.conftest import make_backend
from tests.search.test_backends import demand, provider

WORDS = (
    "数控 机床 外观 结构 钣金 样机 包装 医疗 器械 头盔 电动 汽车 内饰 灯具 家电 材料 手板".split()
)


def _text(rng: random.Random, n: int) -> str:
    return "，".join(rng.choice(WORDS) + rng.choice(WORDS) + "设计" for _ in range(n)) + "。"


@pytest.fixture
def embedded(taxonomy, tmp_path):
    """An embedded backend over varied constructed providers and demands."""
    rng = random.Random(20261207)
    clusters = [c["code"] for c in taxonomy["clusters"]][:6]
    services = [s["code"] for s in taxonomy["services"]][:8]
    regions = [r["code"] for r in taxonomy["regions"]][:6]
    levels = [lv["code"] for lv in taxonomy["provider_levels"]]
    kinds = [k["code"] for k in taxonomy["provider_kinds"]]
    providers = []
    for i in range(1, 61):
        low = rng.choice([20_000, 50_000, 200_000, 1_000_000])
        providers.append(
            provider(
                i,
                kind=rng.choice(kinds),
                level=rng.choice(levels),
                region=rng.choice(regions),
                clusters=rng.sample(clusters, rng.randint(1, 3)),
                services=rng.sample(services, rng.randint(1, 4)),
                description=_text(rng, rng.randint(0, 4)),
                cases=[
                    {
                        "title": _text(rng, 1),
                        "description": _text(rng, 2),
                        "cluster": rng.choice(clusters),
                        "year": 2024,
                    }
                    for _ in range(rng.randint(0, 2))
                ],
                team_size=rng.choice([2, 10, 40, 200]),
                price_min=low,
                price_max=low * rng.choice([2, 10, 50]),
                verified=rng.random() < 0.3,
            )
        )
    demands = [
        demand(
            100 + j,
            title=_text(rng, 1),
            description=_text(rng, 3),
            cluster=rng.choice(clusters),
            services=rng.sample(services, rng.randint(1, 3)),
            region=rng.choice(regions),
            budget_min=rng.choice([20_000, 100_000, 500_000]),
            budget_max=rng.choice([600_000, 2_000_000]),
        )
        for j in range(8)
    ]
    backend = make_backend("embedded", taxonomy, tmp_path)
    backend.index(PROVIDERS, providers)
    backend.index(DEMANDS, demands)
    backend.refresh()
    try:
        yield backend, providers, demands
    finally:
        backend.drop_all()
        backend.close()


def _as_mask(at, ids) -> np.ndarray:
    return np.isin(at.ids, np.fromiter(ids, dtype=np.int64))


def _as_values(at, scores: dict) -> np.ndarray:
    out = np.zeros(at.n)
    for i, v in scores.items():
        out[at.pos[i]] = v
    return out


def _assert_same(idx, cond, cache: dict) -> None:
    """Arrays and id sets agree on the documents and (scored conditions) their values."""
    at = idx.positions()
    assert np.array_equal(at.mask(cond, cache), _as_mask(at, idx.match(cond, cache))), cond
    reference = idx.clause_scores(cond, cache)
    mask, values = at.scores(cond, cache)
    if isinstance(reference, set):
        assert values is None and np.array_equal(mask, _as_mask(at, reference)), cond
    else:
        assert mask is None, cond
        assert np.array_equal(values, _as_values(at, reference)), cond  # bit for bit
    if isinstance(cond, Text):
        for part in ("informative", "common", "all"):
            expected = _as_values(at, idx.text_scores(cond, cache, part))
            assert np.array_equal(at.bm25(cond, cache, part), expected), (cond, part)
            expected_ids = _as_mask(at, idx.text_matches(cond, cache, part))
            assert np.array_equal(at.text_mask(cond, cache, part), expected_ids), (cond, part)


def _conditions(spec) -> list:
    return [c.cond for c in spec.clauses] + list(spec.filters) + [m.cond for m in spec.multipliers]


def test_every_condition_of_real_specs_agrees(embedded, taxonomy):
    backend, providers, demands = embedded
    idx = backend._cache[PROVIDERS]
    seen: set[type] = set()
    for need in demands:
        spec = provider_spec(
            need,
            taxonomy,
            backend.analyzer,
            idx.neighbours,
            exclude=[3, 5],
            damped=[1, 2, 7],
        )
        cache: dict = {}
        for cond in _conditions(spec):
            _assert_same(idx, cond, cache)
            seen.add(type(cond))
    leads = backend._cache[DEMANDS]
    for offer in providers[:10]:
        spec = lead_spec(offer, taxonomy, backend.analyzer, exclude=[101])
        cache = {}
        for cond in _conditions(spec):
            _assert_same(leads, cond, cache)
            seen.add(type(cond))
    # The specifications exercised every kind of condition but ``Any``.
    assert seen == {All, Best, Coverage, Not, Range, Similar, Term, Terms, Text, Value}


def test_constructed_conditions_of_every_kind_agree(embedded, taxonomy):
    backend, providers, _ = embedded
    idx = backend._cache[PROVIDERS]
    cluster = providers[0]["clusters"][0]
    codes = tuple(providers[0]["services"]) + ("no-such-service",)
    vector = np.asarray(idx.docs[1]["case_vector"] or idx.docs[1]["vector"], dtype=np.float32)
    field = "case_vector" if idx.docs[1].get("case_vector") else "vector"
    text_field = sorted(idx.postings)[0]
    terms = tuple((t, 1.0) for t in sorted(idx.postings[text_field])[:6]) + (("缺词", 1.0),)
    conds = [
        Term("id", 4),
        Term("id", 999),
        Terms("id", (1, 2, 999)),
        Term("clusters", cluster),
        Terms("services", codes),
        Range("price_min", gte=50_000, lt=1_000_000),
        Range("price_max", gt=100_000),
        Range("price_min", lte=20_000),
        Range("id", gt=10, lte=20),
        All(()),
        All((Not(Term("clusters", cluster)),)),
        All((Term("clusters", cluster), Not(Terms("id", (1, 2))), Range("price_min", lt=500_000))),
        Any((Term("clusters", cluster), Term("region", providers[1]["region"]))),
        Not(Any((Term("clusters", cluster), Terms("services", codes)))),
        Text(text_field, terms),
        Text(text_field, (("缺词", 1.0),)),
        Best("clusters", ((cluster, 1.0), (providers[2]["clusters"][0], 0.4))),
        Similar(field, tuple(vector.tolist()), top=10, floor=0.0),
        Similar(field, tuple(vector.tolist()), top=1000, floor=0.9),
        Value("team_size"),
    ]
    cache: dict = {}
    for cond in conds:
        _assert_same(idx, cond, cache)
    _assert_same(backend._cache[DEMANDS], Coverage("services", codes, "service_norm"), {})


def test_writes_reach_the_arrays(embedded, taxonomy):
    """The arrays are dropped on every write: a new best provider is matched at once, a
    deleted one never again."""
    backend, _, demands = embedded
    need = demands[0]
    before = [h.id for h in backend.match_providers(need, k=5)]
    best = provider(
        500,
        clusters=[need["cluster"]],
        services=list(need["services"]),
        region=need["region"],
        level="national",
        description=need["title"] + need["description"],
        cases=[
            {
                "title": need["title"],
                "description": need["description"],
                "cluster": need["cluster"],
                "year": 2025,
            }
        ],
        price_min=need["budget_min"],
        price_max=need["budget_max"],
    )
    backend.index(PROVIDERS, [best])
    after = [h.id for h in backend.match_providers(need, k=5)]
    assert 500 not in before and after[0] == 500
    backend.delete(PROVIDERS, [(500, 2)])
    assert 500 not in [h.id for h in backend.match_providers(need, k=5)]
