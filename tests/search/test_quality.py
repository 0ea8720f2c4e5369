"""Ranking quality on the judged development set, for both backends.

Both backends must beat both baselines (text-only BM25; same cluster then shared services)
on NDCG@10 and agree with each other (mean top-10 overlap ≥ 0.7).
"""

from __future__ import annotations

import pytest

from search import PROVIDERS
from search.evaluation import BM25Baseline, RuleBaseline, evaluate, top_overlap
from search.text import get_analyzer

from .conftest import make_backend

# The rankings are computed once per process: one xdist worker runs the whole module.
pytestmark = pytest.mark.xdist_group("quality")
_CACHE: dict = {}


@pytest.fixture(scope="module")
def results(judged_set, taxonomy, tmp_path_factory):
    providers, demands, qrels = judged_set

    def get(kind: str) -> dict:
        if kind not in _CACHE:
            if kind in ("bm25", "rule"):
                ranker = (
                    BM25Baseline(providers, get_analyzer(taxonomy))
                    if kind == "bm25"
                    else RuleBaseline(providers)
                )
                _CACHE[kind] = evaluate(lambda d: ranker.rank(d), demands, qrels)
            else:
                backend = make_backend(kind, taxonomy, tmp_path_factory.mktemp(kind))
                try:
                    backend.index(PROVIDERS, providers)
                    backend.refresh()
                    _CACHE[kind] = evaluate(
                        lambda d: [h.id for h in backend.match_providers(d, k=10)], demands, qrels
                    )
                finally:
                    backend.drop_all()
                    backend.close()
        return _CACHE[kind]

    return get


@pytest.mark.parametrize("kind", ["embedded", "elasticsearch"])
def test_beats_baselines(results, kind):
    ours = results(kind)
    assert ours["demands"] == 45
    for baseline in ("bm25", "rule"):
        assert ours["ndcg@10"] > results(baseline)["ndcg@10"] + 0.05, (kind, baseline)
        assert ours["p@5"] > results(baseline)["p@5"], (kind, baseline)
    assert ours["ndcg@10"] >= 0.75


def test_backends_agree(results):
    assert top_overlap(results("embedded"), results("elasticsearch")) >= 0.7
