"""The re-ranking trees: plain arrays evaluated as the trainer exported them, monotone in the
signals whose direction is fixed, fed with the signal values the trainer saw."""

from __future__ import annotations

import numpy as np
import pytest

from search import PROVIDERS, scoring
from search.rerank import Trees, signal_values

from .conftest import make_backend, script
from .test_backends import demand, provider


def test_trees_follow_their_splits():
    trees = Trees.from_json(
        {
            "signals": ["a", "b"],
            "trees": [
                # a ≤ 0.5 ? (b ≤ 0.2 ? 1 : 2) : 3
                {
                    "feature": [0, 1],
                    "threshold": [0.5, 0.2],
                    "left": [1, ~0],
                    "right": [~2, ~1],
                    "leaf": [1.0, 2.0, 3.0],
                },
                {"feature": [0], "threshold": [0.0], "left": [-1], "right": [-1], "leaf": [0.25]},
            ],
        }
    )
    values = np.array([[0.1, 0.1], [0.5, 0.9], [0.50004, 0.0], [0.9, 0.0]])
    # 0.50004 rounds to 0.5 (``DECIMALS``): both backends' floats land on the same side.
    assert trees.predict(values).tolist() == [1.25, 2.25, 1.25, 3.25]


@pytest.mark.parametrize("direction", scoring.DIRECTIONS)
def test_shipped_trees_score_as_walking_each_tree_node_by_node(direction):
    """The vectorised walk gives every row the very floats of one row and one tree at a time
    (the same leaves, summed in the same order), also for rows of zeros and exact thresholds."""
    trees = scoring.rerank_trees(direction)
    rng = np.random.default_rng(11)
    rows = rng.random((120, len(trees.signals))) * rng.choice([0.0, 0.5, 1.0, 3.0], (120, 1))
    rows[rng.random(rows.shape) < 0.4] = 0.0
    rows[:10, trees.feature[:10, 0]] = trees.threshold[:10, 0]  # on a split's threshold
    rounded = np.round(rows, 4)

    def walk(row: np.ndarray, t: int) -> float:
        node = 0
        while node >= 0:
            go_left = row[trees.feature[t, node]] <= trees.threshold[t, node]
            node = trees.left[t, node] if go_left else trees.right[t, node]
        return trees.leaf[t, ~node]

    leaves = np.array([[walk(row, t) for t in range(len(trees.feature))] for row in rounded])
    assert trees.predict(rows).tolist() == leaves.sum(axis=1).tolist()
    assert trees.predict(rows[:0]).shape == (0,)


@pytest.mark.parametrize("direction", scoring.DIRECTIONS)
def test_shipped_trees_never_punish_more_evidence(direction):
    """Monotone: raising a signal the weights keep ≥ 0 never lowers the score, and raising the
    penalty never raises it; so every reason an item shows moved it up, not down."""
    trainer = script("train_ranker")
    trees = scoring.rerank_trees(direction)
    assert trees is not None and trees.signals == scoring.SIGNAL_NAMES
    rng = np.random.default_rng(3)
    rows = rng.random((300, len(trees.signals))).round(2)
    base = trees.predict(rows)
    for column, sign in enumerate(trainer.monotone()):
        if sign == 0:
            continue
        raised = rows.copy()
        raised[:, column] = np.minimum(1.0, raised[:, column] + 0.3)
        assert (sign * (trees.predict(raised) - base) >= -1e-12).all(), trees.signals[column]


def test_backends_hand_the_trees_the_trainers_values(taxonomy, tmp_path, monkeypatch):
    """The values recovered from a backend's per-clause points are the trainer's features."""
    trainer = script("train_ranker")
    records = [
        provider(
            i,
            clusters=["nev-ice"] if i % 2 else ["electronics"],
            services=["appearance-design", "structural-design"][: 1 + i % 2],
            description="新能源汽车外观造型设计" if i % 3 else "智能终端结构设计与手板",
            price_min=50_000 * i,
            price_max=500_000 * i,
        )
        for i in range(1, 13)
    ]
    need = demand(100, title="纯电汽车前脸造型", cluster="nev-ice", services=["appearance-design"])
    seen: dict = {}
    captured: list = []
    original = scoring.finish

    def keep(spec, candidates, k, documents=None):
        rows = signal_values(spec, [c.contributions for c in candidates], spec.rerank.signals)
        captured.append({c.id: row for c, row in zip(candidates, rows, strict=True)})
        return original(spec, candidates, k, documents)

    for kind in ("embedded", "elasticsearch"):
        module = "search.backends.embedded" if kind == "embedded" else "search.backends.elastic"
        monkeypatch.setattr(f"{module}.finish", keep)
        backend = make_backend(kind, taxonomy, tmp_path / kind)
        try:
            backend.index(PROVIDERS, records)
            backend.refresh()
            backend.match_providers(need, k=5)
            seen[kind] = captured.pop()
        finally:
            backend.drop_all()
            backend.close()
    features = trainer.Features(records, PROVIDERS, taxonomy)
    spec = scoring.provider_spec(
        need, taxonomy, features.analyzer, features.idx.neighbours, signal_weights=trainer.UNIT
    )
    values, candidate = features.of(spec)
    assert seen["embedded"] and set(seen["embedded"]) == set(seen["elasticsearch"])
    for doc_id, row in seen["embedded"].items():
        expected = values[features.pos[doc_id]]
        assert candidate[features.pos[doc_id]]
        assert np.round(row, 4) == pytest.approx(expected, abs=2e-4), doc_id
        assert seen["elasticsearch"][doc_id] == pytest.approx(row, abs=2e-4), doc_id
