"""Second look at the first phase's best candidates: a small tree ensemble over the signals.

A weighted sum ranks by each signal alone; judged pairs say that signals matter together (a
close text is worth more in the right cluster, a budget fit less without the service). The
shipped model (``search/data/ranker-v<N>.json``, ``rerank``) holds, per direction, a
LambdaMART ensemble trained by ``scripts/train_ranker.py`` on the linear first phase's best
``DEPTH`` candidates and validated by whole queries. Every tree is monotone in every signal
in the direction its meaning allows (more evidence never lowers a score, a far-off price
floor never raises it), so each reason shown still names something that moved the item up.

The trees are plain arrays in the JSON file, evaluated with numpy: no model library and
nothing unpickled at run time. Both backends hand over the same per-clause points (the
Elasticsearch named queries' scores, the embedded backend's own), from which the signal
values are recovered exactly as the trainer computed them; values are rounded to
``DECIMALS`` first, so that float32 (Elasticsearch) and float64 (embedded) agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEPTH = 100  # first-phase candidates the trees re-rank
DECIMALS = 4  # signal values are rounded to this many decimals before the trees see them


@dataclass(frozen=True)
class Trees:
    """A tree ensemble as arrays: node ``n`` of tree ``t`` splits on ``feature[t, n]`` at
    ``threshold[t, n]`` (go ``left`` when the value is ≤ it); a child ``c < 0`` is the leaf
    ``~c``, whose value is ``leaf[t, ~c]``. A tree of one leaf is stored as one node whose
    children are both that leaf."""

    signals: tuple[str, ...]
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray

    @classmethod
    def from_json(cls, data: Mapping) -> Trees:
        trees = data["trees"]
        nodes = max(1, max(len(t["feature"]) for t in trees))
        leaves = max(len(t["leaf"]) for t in trees)

        def pad(key: str, width: int, fill, dtype) -> np.ndarray:
            out = np.full((len(trees), width), fill, dtype=dtype)
            for i, t in enumerate(trees):
                out[i, : len(t[key])] = t[key]
            return out

        return cls(
            signals=tuple(data["signals"]),
            feature=pad("feature", nodes, 0, np.int64),
            threshold=pad("threshold", nodes, 0.0, np.float64),
            left=pad("left", nodes, -1, np.int64),
            right=pad("right", nodes, -1, np.int64),
            leaf=pad("leaf", leaves, 0.0, np.float64),
        )

    def predict(self, values: np.ndarray) -> np.ndarray:
        """Raw scores of the rows of ``values`` (documents × signals).

        Every (row, tree) pair walks down its tree on flat arrays, and only the pairs still
        at an inner node take the next step (most trees are a few levels deep, so the walk
        soon thins out); the leaves are then summed per row as a (rows, trees) array."""
        rows, signals = values.shape
        trees, nodes = self.feature.shape
        flat_values = np.round(values, DECIMALS).ravel()
        tree = np.tile(np.arange(trees), rows)
        row_start = np.repeat(np.arange(rows) * signals, trees)
        node = np.zeros(rows * trees, dtype=np.int64)  # ≥ 0: inner node, < 0: ~leaf
        feature, threshold = self.feature.ravel(), self.threshold.ravel()
        left, right = self.left.ravel(), self.right.ravel()
        walking = np.arange(rows * trees)
        while walking.size:
            at = tree[walking] * nodes + node[walking]
            go_left = flat_values[row_start[walking] + feature[at]] <= threshold[at]
            step = np.where(go_left, left[at], right[at])
            node[walking] = step
            walking = walking[step >= 0]
        return self.leaf[tree, ~node].reshape(rows, trees).sum(axis=1)


def signal_values(spec, contributions: Sequence[Mapping[str, float]], signals) -> np.ndarray:
    """The signal values the trainer saw (each clause's points over its signal's weight),
    recovered from documents' per-clause points: one row per document.

    A penalty (negative weight) runs as a bonus on the *absence* of its condition
    (``search.scoring.build_spec``), so its value is what that bonus did not pay.
    """
    position = {s: i for i, s in enumerate(signals)}
    out = np.zeros((len(contributions), len(signals)))
    for clause in spec.clauses:
        signal = clause.name.split(":")[0]
        weight = spec.signal_weights.get(signal, 0.0)
        if signal not in position or weight == 0.0:
            continue
        name = clause.name
        points = np.fromiter((c.get(name, 0.0) for c in contributions), float, len(contributions))
        if weight < 0:
            points = clause.weight - points
        out[:, position[signal]] += points / abs(weight)
    return out


def probability(raw: float) -> float:
    """A raw ensemble score as 0..1 (the API's score), order kept."""
    return 1.0 / (1.0 + math.exp(-raw))
