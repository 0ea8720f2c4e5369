"""Structural clauses scored from doc values give the points Elasticsearch's named clauses give
(the explanation request relies on it), on real documents in a real index."""

from __future__ import annotations

import pytest

from search import PROVIDERS
from search.backends import doc_values
from search.scoring import All, Any, Best, Coverage, Not, Range, Term, Terms, Text, Value

from .conftest import make_backend
from .test_backends import provider

RECORDS = [
    provider(1, clusters=["nev-ice", "electronics"], services=["appearance-design"]),
    provider(
        2, clusters=["electronics"], region="yuzhong", level="national", team_size=3, verified=True
    ),
    provider(3, services=[], price_min=12_500, price_max=12_501, team_size=None),
    provider(4, price_min=None, price_max=None, level="municipal", kind="university"),
    provider(5, clusters=[], region="other", price_min=180_000, price_max=5_000_000),
]

CONDITIONS = [
    Term("region", "yuzhong"),
    Term("verified", False),
    Terms("clusters", ("nev-ice", "food-agri")),
    Range("price_min", gt=12_499.5, lte=50_000),  # a decimal bound on a long field
    Range("price_min", lt=12_500.5),
    Range("team_size", gte=6),  # missing on one document
    Range("price_focus", gte=0.5),
    All((Terms("clusters", ("electronics",)), Not(Terms("clusters", ("nev-ice",))))),
    Any((Term("level", "national"), Term("kind", "university"))),
    Not(Range("price_min", gt=100_000)),
    All(()),
    Best("clusters", (("electronics", 0.4), ("nev-ice", 1.0))),
    Coverage("services", ("appearance-design", "structural-design"), "team_size"),
    Value("price_focus"),
]


@pytest.fixture
def elastic(taxonomy, tmp_path):
    backend = make_backend("elasticsearch", taxonomy, tmp_path)
    try:
        backend.index(PROVIDERS, RECORDS)
        backend.refresh()
        yield backend
    finally:
        backend.drop_all()
        backend.close()


@pytest.mark.parametrize("cond", CONDITIONS, ids=repr)
def test_doc_values_score_as_the_engine_does(elastic, cond):
    local = doc_values.scorer(cond, PROVIDERS)
    assert local is not None
    read, score = local
    query = elastic._scoring("clause", 2.0, cond, {})
    resp = elastic.client.search(
        index=elastic._alias(PROVIDERS),
        query={"bool": {"filter": [{"match_all": {}}], "should": [query]}},
        size=len(RECORDS),
        include_named_queries_score=True,
        stored_fields="_none_",
        docvalue_fields=sorted(read | {"id"}),
    ).body
    hits = resp["hits"]["hits"]
    assert len(hits) == len(RECORDS)
    engine = {
        int(h["fields"]["id"][0]): (h.get("matched_queries") or {}).get("clause", 0.0) for h in hits
    }
    here = {int(h["fields"]["id"][0]): 2.0 * score(h["fields"]) for h in hits}
    assert here == pytest.approx(engine, abs=1e-6)
    if cond != All(()):  # every other condition tells the documents apart
        assert len(set(engine.values())) > 1


def test_text_dates_and_vectors_are_left_to_the_engine():
    assert doc_values.scorer(Text("text", (("设计", 1.0),)), PROVIDERS) is None
    assert doc_values.scorer(Range("created_at", gte="2026-01-01"), PROVIDERS) is None
    assert doc_values.scorer(All((Term("region", "yuzhong"), Text("text", ()))), PROVIDERS) is None
    assert doc_values.scorer(Not(Terms("clusters", ("nev-ice",))), PROVIDERS)[0] == {"clusters"}
