"""Meaning of a text as a vector: shipped Chinese word vectors, averaged per document.

Two texts that describe the same work in different words (``外形开发`` and ``造型设计``) share
few tokens but lie close in this space, which the BM25 text signals cannot see.

* Word vectors are trained once, at build time, by ``scripts/build_vectors.py`` (gensim
  word2vec on the platform's own kind of text) and shipped as plain arrays in
  ``search/data/vectors-v<N>/``: ``words.tsv`` (word, weight), ``vectors.npy`` (float16,
  one row per word), ``clusters.tsv`` and ``prototypes.npy`` (one unit vector per industry
  cluster). Nothing is unpickled: ``numpy.load(allow_pickle=False)``.
* A document's vector is the weighted sum of its tokens' vectors (smooth inverse frequency:
  ``a / (a + p(word))``, so frequent words count little), scaled to unit length; a text
  with no known word has no vector.
* Industry inference: the demand's vector against each cluster's prototype (the mean of
  the portfolio cases of that cluster in the training text), turned into shares by a
  softmax. The matcher gives cluster credit to the clusters the text points at, so a
  demand filed under the wrong cluster still reaches the right specialists.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).with_name("data")
VERSION = 1
INFERENCE_TEMPERATURE = 0.05  # softmax temperature over prototype similarities
INFERENCE_MIN_SHARE = 0.1  # clusters below this share are not credited


class WordVectors:
    """Word vectors, their weights and the industry prototypes of one shipped version."""

    def __init__(self, directory: Path):
        self.directory = directory
        words, weights = [], []
        with open(directory / "words.tsv", encoding="utf-8") as fh:
            for line in fh:
                word, weight = line.rstrip("\n").split("\t")
                words.append(word)
                weights.append(float(weight))
        matrix = np.load(directory / "vectors.npy", allow_pickle=False).astype(np.float32)
        if matrix.shape[0] != len(words):
            raise ValueError(f"{directory}: {len(words)} words but {matrix.shape[0]} vectors")
        self.index = {w: i for i, w in enumerate(words)}
        self.weighted = matrix * np.asarray(weights, dtype=np.float32)[:, None]
        self.dims = int(matrix.shape[1])
        with open(directory / "clusters.tsv", encoding="utf-8") as fh:
            self.clusters = [line.strip() for line in fh if line.strip()]
        self.prototypes = np.load(directory / "prototypes.npy", allow_pickle=False).astype(
            np.float32
        )

    def vector(self, tokens: Iterable[str]) -> np.ndarray | None:
        """Unit vector of a token sequence, or None when no token is known."""
        rows = [self.index[t] for t in tokens if t in self.index]
        if not rows:
            return None
        total = self.weighted[rows].sum(axis=0)
        norm = float(np.linalg.norm(total))
        if norm <= 1e-9:
            return None
        return total / norm

    def industry(self, vector: np.ndarray | None) -> dict[str, float]:
        """Share per cluster that the text belongs to it (shares ≥ the minimum only)."""
        if vector is None or not self.clusters:
            return {}
        sims = self.prototypes @ vector
        scaled = np.exp((sims - sims.max()) / INFERENCE_TEMPERATURE)
        shares = scaled / scaled.sum()
        return {
            c: round(float(s), 4)
            for c, s in zip(self.clusters, shares, strict=True)
            if s >= INFERENCE_MIN_SHARE
        }


@functools.lru_cache(maxsize=4)
def load(version: int = VERSION) -> WordVectors:
    """The shipped vectors of ``version`` (read once per process)."""
    return WordVectors(DATA_DIR / f"vectors-v{version}")


def stored_vector(vector: np.ndarray | None) -> list[float] | None:
    """A vector as index documents store it: rounded, still of unit length, or None."""
    if vector is None:
        return None
    rounded = np.round(vector.astype(np.float64), 6)
    return [float(x) for x in rounded / math.sqrt(float(rounded @ rounded))]
