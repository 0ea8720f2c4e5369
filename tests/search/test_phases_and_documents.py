"""Two-phase matching, document building for rebuilds, and the rebuilt index's settings."""

from __future__ import annotations

import random

import pytest

from search import DEMANDS, PROVIDERS, documents, scoring
from search.documents import build_document, build_documents
from search.text import get_analyzer

from .conftest import make_backend
from .test_backends import demand, provider

WORDS = [
    "外观设计",
    "结构设计",
    "数控机床",
    "防护罩",
    "钣金",
    "样机",
    "手板",
    "注塑",
    "模具",
    "人机工程",
    "医疗器械",
    "监护仪",
    "储能柜",
    "电池包",
    "车灯",
    "仪表",
    "座舱",
    "包装设计",
]
CLUSTERS = ["smart-equipment", "nev-ice", "biomedicine", "new-energy-storage"]
SERVICES = [
    "appearance-design",
    "structural-design",
    "prototyping",
    "mold-design",
    "cmf-design",
    "packaging-design",
]


def _records(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        words = rng.sample(WORDS, rng.randint(2, 6))
        cases = (
            [
                {
                    "title": f"{rng.choice(WORDS)}项目",
                    "description": "".join(rng.sample(WORDS, 3)),
                    "cluster": rng.choice(CLUSTERS),
                    "year": 2024,
                }
            ]
            if i % 3 == 0
            else []
        )
        out.append(
            provider(
                i,
                clusters=rng.sample(CLUSTERS, rng.randint(0, 2)),
                services=rng.sample(SERVICES, rng.randint(0, 3)),
                description="，".join(words) + "。",
                cases=cases,
                region=rng.choice(["jiulongpo", "yongchuan", "yuzhong", "other"]),
                level=rng.choice(["none", "none", "district", "municipal", "national"]),
                team_size=rng.randint(1, 80),
                price_min=rng.choice([20_000, 80_000, 300_000]),
                price_max=rng.choice([500_000, 1_000_000]),
                verified=rng.random() < 0.3,
            )
        )
    return out


def _demands(n: int, seed: int = 4) -> list[dict]:
    rng = random.Random(seed)
    return [
        demand(
            1000 + i,
            title="".join(rng.sample(WORDS, 2)),
            description="需要" + "、".join(rng.sample(WORDS, 4)) + "。",
            cluster=rng.choice(CLUSTERS),
            services=rng.sample(SERVICES, rng.randint(1, 3)),
            region=rng.choice(["jiulongpo", "yongchuan"]),
            budget_min=rng.choice([50_000, 200_000]),
            budget_max=rng.choice([400_000, 1_500_000]),
        )
        for i in range(n)
    ]


def text_weights(monkeypatch, **extra) -> None:
    """The shipped weights with the BM25 text signals on (the learned model may drop them;
    the two-phase machinery must still be right for whichever weights a model gives)."""
    tables = scoring.load_model()["weights"]
    changed = {d: {**tables[d], "text": 9.0, "case_text": 3.0, **extra} for d in tables}
    monkeypatch.setattr(scoring, "weights", lambda direction: changed[direction])


@pytest.fixture
def tight_phases(monkeypatch):
    """Make the two phases bite on a small index: few informative terms, a small window."""
    text_weights(monkeypatch)
    monkeypatch.setattr(scoring, "INFORMATIVE_MIN_DOCS", 0)
    monkeypatch.setattr(scoring, "INFORMATIVE_SHARE", 0.04)
    monkeypatch.setattr(scoring.Spec, "window_for", lambda self, k: 2 * k)


def test_backends_agree_on_both_phases(taxonomy, tmp_path, tight_phases):
    records = _records(160)
    results = {}
    for kind in ("embedded", "elasticsearch"):
        backend = make_backend(kind, taxonomy, tmp_path / kind)
        try:
            backend.index(PROVIDERS, records)
            backend.refresh()
            damped = {i for i in range(1, 161) if i % 4 == 0}
            results[kind] = [backend.match_providers(d, k=8, damped=damped) for d in _demands(15)]
        finally:
            backend.drop_all()
            backend.close()
    overlap = []
    for emb, es in zip(results["embedded"], results["elasticsearch"], strict=True):
        overlap.append(len({h.id for h in emb} & {h.id for h in es}) / max(1, len(emb)))
        by_id = {h.id: h for h in es}
        for h in emb:
            if h.id in by_id:
                assert h.score == pytest.approx(by_id[h.id].score, abs=1e-4)
                assert [r.code for r in h.reasons] == [r.code for r in by_id[h.id].reasons]
    assert sum(overlap) / len(overlap) >= 0.95


def test_common_terms_only_count_in_the_second_phase(backend, monkeypatch):
    # "外观设计" is in 15 of 39 documents (common), "防护罩" in one (informative).
    backend.index(
        PROVIDERS,
        [
            provider(
                1, clusters=["nev-ice"], services=["ui-design"], description="外观设计，防护罩"
            ),
        ]
        + [
            provider(i, clusters=["nev-ice"], services=["ui-design"], description="外观设计")
            for i in range(2, 16)
        ]
        + [provider(i, clusters=["smart-equipment"], description="机床") for i in range(16, 40)],
    )
    backend.refresh()
    # Text alone makes candidates here: every other evidence signal off.
    off = ("cluster", "cluster_related", "case_cluster", "service", "service_evidence")
    text_weights(monkeypatch, meaning=0.0, case_meaning=0.0, **dict.fromkeys(off, 0.0))
    monkeypatch.setattr(scoring, "INFORMATIVE_MIN_DOCS", 0)
    monkeypatch.setattr(scoring, "INFORMATIVE_SHARE", 0.1)
    need = demand(100, title="外观设计 防护罩", cluster="biomedicine", services=["cmf-design"])
    hits = backend.match_providers(need, k=10)
    # Only the informative term makes a candidate; the common one still adds to its score.
    assert [h.id for h in hits] == [1]
    assert "text" in {r.code for r in hits[0].reasons}
    monkeypatch.setattr(scoring, "INFORMATIVE_SHARE", 1.0)
    assert sorted(h.id for h in backend.match_providers(need, k=50)) == list(range(1, 16))


def test_window_is_chosen_on_evidence_then_scored_in_full(backend, monkeypatch):
    """The first phase ranks candidates by their evidence alone; the signals that make no
    candidate (region, level, budget) count for the window's documents only."""
    weights = dict.fromkeys(scoring.SIGNAL_NAMES, 0.0)
    weights.update(cluster=3.0, service=2.0, region=2.0, level_national=2.0)
    monkeypatch.setattr(scoring, "weights", lambda direction: weights)
    monkeypatch.setattr(scoring, "rerank_trees", lambda direction: None)
    backend.index(
        PROVIDERS,
        [
            # evidence 3 + 2, nothing else: 5 points
            provider(1, services=["appearance-design"], region="jiulongpo"),
            # evidence 3, local and national: 7 points
            provider(2, services=["ui-design"], region="yongchuan", level="national"),
            # local and national but no evidence: never a candidate
            provider(
                3,
                clusters=["nev-ice"],
                services=["ui-design"],
                region="yongchuan",
                level="national",
            ),
        ],
    )
    backend.refresh()
    need = demand(100, services=["appearance-design"], region="yongchuan")
    monkeypatch.setattr(scoring.Spec, "window_for", lambda self, k: 1)
    assert [h.id for h in backend.match_providers(need, k=5)] == [1]
    monkeypatch.setattr(scoring.Spec, "window_for", lambda self, k: 50)
    hits = backend.match_providers(need, k=5)
    assert [h.id for h in hits] == [2, 1]
    assert {r.code for r in hits[0].reasons} == {"cluster", "region", "level"}


def test_keywords_match_whole_label_segmentation(taxonomy):
    analyzer = get_analyzer(taxonomy)
    rng = random.Random(5)
    clusters = [c["code"] for c in taxonomy["clusters"]] + ["unknown"]
    services = [s["code"] for s in taxonomy["services"]] + ["unknown"]

    def labels(section, codes):
        by_code = {item["code"]: item for item in taxonomy[section]}
        out = []
        for code in codes:
            if code in by_code:
                out.append(by_code[code].get("zh", ""))
                out.extend(by_code[code].get("aliases") or ())
        return " ".join(out)

    for _ in range(200):
        cs, ss = rng.sample(clusters, rng.randint(0, 3)), rng.sample(services, rng.randint(0, 6))
        doc = build_document(PROVIDERS, provider(1, clusters=cs, services=ss), analyzer, taxonomy)
        expected = analyzer.segment(" ".join([labels("clusters", cs), labels("services", ss)]))
        assert doc["keywords"] == expected


def test_build_documents_in_workers_matches_serial(taxonomy):
    analyzer = get_analyzer(taxonomy)
    records = _records(130)
    serial = [build_document(PROVIDERS, r, analyzer, taxonomy) for r in records]
    pooled = list(
        build_documents(
            PROVIDERS, iter(records), analyzer, taxonomy, workers=2, min_records=20, chunk=25
        )
    )
    assert pooled == serial
    small = list(build_documents(DEMANDS, iter(_demands(5)), analyzer, taxonomy, workers=2))
    assert [d["id"] for d in small] == [1000 + i for i in range(5)]
    with pytest.raises(ValueError):
        list(build_documents("nope", [], analyzer, taxonomy))


def test_reindex_in_workers_restores_refresh_interval_and_merges(backend, monkeypatch):
    monkeypatch.setattr(documents, "POOL_MIN_RECORDS", 50)
    monkeypatch.setattr(documents, "POOL_CHUNK", 40)
    backend.build_workers = 2
    records = _records(1200)

    def refresh(count: int) -> None:
        """A refresh at each progress report, so that the load leaves several segments."""
        if backend.name == "elasticsearch":
            backend.client.indices.refresh(index=f"{backend.prefix}{PROVIDERS}-v*")

    assert backend.reindex(PROVIDERS, iter(records), progress=refresh) == 1200
    backend.refresh()
    assert {s.index: s.documents for s in backend.status()}[PROVIDERS] == 1200
    if backend.name == "elasticsearch":
        index = next(s.concrete[0] for s in backend.status() if s.index == PROVIDERS)
        settings = backend.client.indices.get_settings(index=index).body[index]["settings"]["index"]
        assert settings.get("refresh_interval") in (None, "1s")
        # Merged into one segment before the swap (a match visits each segment once).
        shards = backend.client.indices.segments(index=index).body["indices"][index]["shards"]
        assert [copy["num_search_segments"] for copy in shards["0"]] == [1]
        # Encoded in the workers: each stored source is the document built here.
        analyzer = get_analyzer(backend.taxonomy)
        for record in (records[0], records[60], records[-1]):
            stored = backend.client.get(index=index, id=str(record["id"])).body
            assert stored["_source"] == build_document(
                PROVIDERS, record, analyzer, backend.taxonomy
            )
            assert stored["_version"] == record.get("version", 1)
