"""Ranking quality on the judged development set, for both backends.

Both backends must beat both baselines (text-only BM25; same cluster then shared services)
on NDCG@10 and P@5, and agree with each other (mean top-10 overlap ≥ 0.95). The shipped
model must be the one its training report describes.
"""

from __future__ import annotations

import json

import pytest

from search import DEMANDS, PROVIDERS
from search.scoring import MODEL_FILE, SIGNAL_NAMES
from search.text import get_analyzer

from .conftest import make_backend, script

# The rankings are computed once per process: one xdist worker runs the whole module.
pytestmark = pytest.mark.xdist_group("quality")
_CACHE: dict = {}
judged = script("judged_set")


@pytest.fixture(scope="module")
def results(judged_set, taxonomy, tmp_path_factory):
    providers, demands, qrels = judged_set

    def get(kind: str) -> dict:
        if kind not in _CACHE:
            if kind in ("bm25", "rule"):
                ranker = (
                    judged.BM25Baseline(providers, get_analyzer(taxonomy))
                    if kind == "bm25"
                    else judged.RuleBaseline(providers)
                )
                _CACHE[kind] = judged.evaluate(lambda d: ranker.rank(d), demands, qrels)
            else:
                backend = make_backend(kind, taxonomy, tmp_path_factory.mktemp(kind))
                try:
                    backend.index(PROVIDERS, providers)
                    backend.index(DEMANDS, demands)
                    backend.refresh()
                    _CACHE[kind] = judged.evaluate(
                        lambda d: [h.id for h in backend.match_providers(d, k=10)], demands, qrels
                    )
                    by_id = {p["id"]: p for p in providers}
                    inverted = judged.inverted(qrels)
                    _CACHE[kind]["leads"] = judged.evaluate(
                        lambda p: [h.id for h in backend.match_leads(by_id[p["id"]], k=10)],
                        [{"id": i} for i in inverted],
                        inverted,
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
        assert ours["ndcg@10"] > results(baseline)["ndcg@10"] + 0.15, (kind, baseline)
        assert ours["p@5"] > results(baseline)["p@5"], (kind, baseline)
    assert ours["ndcg@10"] >= 0.88


@pytest.mark.parametrize("kind", ["embedded", "elasticsearch"])
def test_backends_reproduce_the_training_report(results, kind):
    """The backends rank as the trainer's exact evaluation did (two phases, knn and all)."""
    report = json.loads(MODEL_FILE.read_text("utf-8"))["report"]
    assert results(kind)["ndcg@10"] == pytest.approx(report["full_set"]["ndcg@10"], abs=0.005)
    assert results(kind)["leads"]["ndcg@10"] == pytest.approx(report["leads"]["ndcg@10"], abs=0.005)


def test_backends_agree(results):
    assert judged.top_overlap(results("embedded"), results("elasticsearch")) >= 0.95
    leads = judged.top_overlap(results("embedded")["leads"], results("elasticsearch")["leads"])
    assert leads >= 0.95


def test_shipped_model_matches_its_report(judged_set, taxonomy):
    """The weights file is what its report says: same digest, refitted to the same weights."""
    trainer = script("train_ranker")
    model = json.loads(MODEL_FILE.read_text("utf-8"))
    weights = model["weights"]
    assert set(weights) == set(SIGNAL_NAMES)
    assert model["weights_sha256"] == trainer.weights_digest(weights)
    providers, demands, qrels = judged_set
    data = trainer.provider_features(providers, demands, taxonomy)
    trainer.add_pairs(data, qrels)
    refit = trainer.fit(
        data, sorted(data["queries"]), list(SIGNAL_NAMES), model["report"]["protocol"]["l2"]
    )
    assert refit == pytest.approx(weights, abs=2e-3)
    full = trainer.full_set(data, qrels, weights)
    assert full["ndcg@10"] == pytest.approx(model["report"]["full_set"]["ndcg@10"], abs=1e-4)
    assert model["report"]["cross_validated"]["ndcg@10"] >= 0.88
