"""Meaning of a text as a vector: shipped subword word vectors, averaged per document.

Two texts that describe the same work in different words (``外形开发`` and ``造型设计``) share
few tokens but lie close in this space, which the BM25 text signals cannot see.

* Word vectors are trained once, at build time, by ``scripts/build_vectors.py`` (gensim
  FastText on the taxonomy and the demo data: no judged-set text) and shipped as plain arrays
  in ``search/data/vectors-v<N>/``: ``words.tsv`` (word, weight), ``vectors.npy`` (float16,
  one row per word), ``ngrams.npy`` (float16, one row per hash bucket of character n-grams)
  and ``build.json`` (settings). Nothing is unpickled: ``numpy.load(allow_pickle=False)``.
* A word the vectors never saw gets the mean of its character n-grams' vectors (FastText's
  rule, same hash), so new wording still lands near the words that share its characters
  (``医用`` near ``医疗``); a word with no known n-gram has no vector.
* A document's vector is the weighted sum of its tokens' vectors (smooth inverse frequency:
  ``a / (a + p(word))``, so frequent words count little; an unseen word weighs as a word seen
  once) minus its projection on the corpus's common direction (``common.npy``: the first
  principal component of the training texts' vectors, which every text shares and which would
  make unrelated texts look alike), scaled to unit length; a text with no vector-bearing word
  has no vector.
* Industry inference (``industry``): the clusters of the providers whose portfolio cases lie
  nearest to a demand's vector, weighted by closeness. The backends find those neighbours
  in their own index, so the inference follows the platform's providers, not a shipped file.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).with_name("data")
VERSION = 2
NEIGHBOURS = 10  # providers whose cases vote on a demand's industry
INFERENCE_TEMPERATURE = 0.05  # softmax temperature over the neighbours' similarities
INFERENCE_MIN_SHARE = 0.1  # clusters below this share are not credited
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619


def ngram_hashes(word: str, min_n: int, max_n: int, buckets: int) -> list[int]:
    """Buckets of the character n-grams of ``<word>`` (FastText's n-grams and FNV-1a hash)."""
    chars = f"<{word}>"
    out = []
    for i in range(len(chars)):
        for n in range(min_n, max_n + 1):
            if i + n > len(chars):
                break
            if n == 1 and (i == 0 or i + n == len(chars)):
                continue
            h = _FNV_OFFSET
            for b in chars[i : i + n].encode("utf-8"):
                h ^= b | 0xFFFFFF00 if b >= 0x80 else b  # the reference casts bytes to int8
                h = (h * _FNV_PRIME) & 0xFFFFFFFF
            out.append(h % buckets)
    return out


class WordVectors:
    """Word and n-gram vectors of one shipped version, and their word weights."""

    def __init__(self, directory: Path):
        self.directory = directory
        settings = json.loads((directory / "build.json").read_text("utf-8"))
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
        self.weights = np.asarray(weights, dtype=np.float32)
        self.matrix = matrix
        self.dims = int(matrix.shape[1])
        self.min_n, self.max_n = int(settings["min_n"]), int(settings["max_n"])
        self.unknown_weight = float(settings["unknown_weight"])
        self.ngrams = np.load(directory / "ngrams.npy", allow_pickle=False).astype(np.float32)
        common = directory / "common.npy"
        self.common = (
            np.load(common, allow_pickle=False).astype(np.float32) if common.exists() else None
        )
        self._unknown = functools.lru_cache(maxsize=1 << 15)(self._from_ngrams)

    def _from_ngrams(self, word: str) -> np.ndarray | None:
        hashes = ngram_hashes(word, self.min_n, self.max_n, len(self.ngrams))
        if not hashes:
            return None
        v = self.ngrams[hashes].mean(axis=0)
        return v if float(np.abs(v).sum()) > 0 else None

    def word(self, word: str) -> tuple[np.ndarray, float] | None:
        """(vector, weight) of one token: its own, or its n-grams' for an unseen word."""
        i = self.index.get(word)
        if i is not None:
            return self.matrix[i], float(self.weights[i])
        v = self._unknown(word)
        return None if v is None else (v, self.unknown_weight)

    def vector(self, tokens: Iterable[str]) -> np.ndarray | None:
        """Unit vector of a token sequence, or None when no token has a vector."""
        rows, unseen = [], []
        for t in tokens:
            i = self.index.get(t)
            if i is not None:
                rows.append(i)
            elif (v := self._unknown(t)) is not None:
                unseen.append(v)
        if not rows and not unseen:
            return None
        total = self.weights[rows] @ self.matrix[rows]
        if unseen:
            total = total + self.unknown_weight * np.sum(unseen, axis=0, dtype=np.float32)
        if self.common is not None:
            total -= float(total @ self.common) * self.common
        norm = float(np.linalg.norm(total))
        return None if norm <= 1e-9 else total / norm


def industry(neighbours: Sequence[tuple[float, Sequence[str]]]) -> dict[str, float]:
    """Share per cluster that a demand belongs to it, from its nearest providers' cases.

    ``neighbours``: (similarity of the provider's cases to the demand, the clusters of those
    cases) for the ``NEIGHBOURS`` nearest providers. Each votes with softmax weight of its
    similarity, split evenly over its case clusters (a portfolio across many industries
    says less about each); shares below the minimum are dropped.
    """
    votes: dict[str, float] = {}
    usable = [(s, c) for s, c in neighbours if c]
    if not usable:
        return {}
    top = max(s for s, _ in usable)
    for sim, clusters in usable:
        weight = math.exp((sim - top) / INFERENCE_TEMPERATURE) / len(clusters)
        for c in clusters:
            votes[c] = votes.get(c, 0.0) + weight
    total = sum(votes.values())
    return {
        c: round(v / total, 4) for c, v in sorted(votes.items()) if v / total >= INFERENCE_MIN_SHARE
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
