"""The embedded index as numpy arrays by document position, for matching's first phase.

Matching scores every candidate on every clause; done as Python loops over id sets and
dicts that cost most of a match at 10,000 documents. Here each keyword value is a boolean
mask, each text term its postings as (positions, term frequencies), each number a column,
so a clause is a few vectorised operations. The arrays are built lazily, one mask or posting
at a time, and dropped with the index's other derived data on the next write.

Every value is computed with the same float64 operations in the same order as the id-set
evaluation in ``embedded._Index`` (BM25 term by term, points clause by clause), so scores
are equal to the last bit, not merely close.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..scoring import (
    BM25_K1,
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
)

_K1_PLUS_1 = BM25_K1 + 1


class Positions:
    """Masks, postings and columns of one ``_Index`` by document position (``ids[p]``)."""

    def __init__(self, idx):
        self.idx = idx
        self.ids = np.fromiter(idx.docs, dtype=np.int64, count=len(idx.docs))
        self.pos = {i: p for p, i in enumerate(idx.docs)}
        self.n = len(self.ids)
        self._cache: dict = {}

    def positions(self, ids: Iterable[int]) -> np.ndarray:
        pos = self.pos
        return np.fromiter((pos[i] for i in ids), dtype=np.intp)

    def _mask_of(self, ids: Iterable[int]) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        mask[self.positions(ids)] = True
        return mask

    def _cached(self, key, build):
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = build()
        return value

    # -- building blocks ------------------------------------------------------------------
    def term(self, field: str, value) -> np.ndarray:
        """Documents whose ``field`` holds ``value`` (as ``_Index._term``)."""
        if field == "id":
            return self.ids == int(value)
        if field not in self.idx.kw and field in self.idx.postings:
            return self._cached(("tm", field, value), lambda: self._posting_mask(field, value))
        return self._cached(
            ("kw", field, value), lambda: self._mask_of(self.idx._term(field, value))
        )

    def _posting_mask(self, field: str, term: str) -> np.ndarray:
        mask = np.zeros(self.n, dtype=bool)
        hit = self.posting(field, term)
        if hit is not None:
            mask[hit[0]] = True
        return mask

    def posting(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions, term frequencies) of ``term`` in ``field``; None when absent."""

        def build():
            p = self.idx.postings[field].get(term)
            if not p:
                return ()
            return self.positions(p), np.fromiter(p.values(), dtype=np.float64, count=len(p))

        return self._cached(("post", field, term), build) or None

    def column(self, field: str) -> np.ndarray:
        """A numeric field by position, NaN where the document has no value."""

        def build():
            col = np.full(self.n, np.nan)
            values = self.idx.num[field]
            col[self.positions(values)] = np.fromiter(values.values(), dtype=np.float64)
            return col

        if field == "id":
            return self.ids.astype(np.float64)
        return self._cached(("col", field), build)

    def doc_values(self, field: str) -> np.ndarray:
        """Any document field read as a number, 0 where missing or empty."""
        docs = self.idx.docs
        return self._cached(
            ("doc", field),
            lambda: np.fromiter(
                ((docs[i].get(field) or 0.0) for i in docs), dtype=np.float64, count=self.n
            ),
        )

    def norms(self, field: str) -> np.ndarray:
        """BM25 length norms by position (the index's own, so equal to the last bit)."""

        def build():
            norms = self.idx._norms(field)
            out = np.zeros(self.n)
            out[self.positions(norms)] = np.fromiter(norms.values(), dtype=np.float64)
            return out

        return self._cached(("norms", field), build)

    # -- conditions -----------------------------------------------------------------------
    def mask(self, cond, cache: dict) -> np.ndarray:
        """Documents matching ``cond`` (as ``_Index.match``)."""
        if isinstance(cond, Term):
            return self.term(cond.field, cond.value)
        if isinstance(cond, Terms):
            if cond.field == "id":
                return np.isin(self.ids, np.asarray([int(v) for v in cond.values], dtype=np.int64))
            return self._any(self.term(cond.field, v) for v in cond.values)
        if isinstance(cond, Range):
            col = self.column(cond.field)
            out = ~np.isnan(col)
            with np.errstate(invalid="ignore"):
                if cond.gt is not None:
                    out &= col > cond.gt
                if cond.gte is not None:
                    out &= col >= cond.gte
                if cond.lt is not None:
                    out &= col < cond.lt
                if cond.lte is not None:
                    out &= col <= cond.lte
            return out
        if isinstance(cond, All):
            out = np.ones(self.n, dtype=bool)
            for c in cond.conds:
                out &= self.mask(c, cache)
            return out
        if isinstance(cond, Any):
            return self._any(self.mask(c, cache) for c in cond.conds)
        if isinstance(cond, Not):
            return ~self.mask(cond.cond, cache)
        if isinstance(cond, Text):
            return self.text_mask(cond, cache)
        if isinstance(cond, Coverage):
            return self.mask(Terms(cond.field, cond.values), cache)
        if isinstance(cond, Best):
            return self.mask(Terms(cond.field, tuple(c for c, _ in cond.weights)), cache)
        if isinstance(cond, Similar):
            return self.similar(cond)[0]
        if isinstance(cond, Value):
            return ~np.isnan(self.column(cond.field))
        raise TypeError(f"unknown condition {cond!r}")

    def _any(self, masks: Iterable[np.ndarray]) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for m in masks:
            out |= m
        return out

    def text_mask(self, cond: Text, cache: dict, part: str = "all") -> np.ndarray:
        """Documents holding at least one of the clause's kept terms (or one part's)."""
        weights, _ = self.idx._part(cond, cache, part)
        return self._any(self.term(cond.field, t) for t in weights)

    def bm25(self, cond: Text, cache: dict, part: str = "all") -> np.ndarray:
        """Normalised BM25 by position (0 where no kept term occurs)."""
        weights, total = self.idx._part(cond, cache, part)
        out = np.zeros(self.n)
        if total <= 0 or not weights:
            return out
        norms = self.norms(cond.field)
        for t, w in weights.items():
            hit = self.posting(cond.field, t)
            if hit is None:
                continue
            p, tf = hit
            out[p] += w * tf * _K1_PLUS_1 / (tf + norms[p])
        return out / total

    def similar(self, cond: Similar) -> tuple[np.ndarray, np.ndarray]:
        """(mask, values) of ``_Index.similar``: the nearest documents from the floor up."""
        rows, sims = self.idx._nearest_rows(cond.field, cond.vector, cond.top)
        values = (1.0 + sims.astype(np.float64)) / 2.0
        keep = values >= cond.floor
        at = self._cached(
            ("rows", cond.field), lambda: self.positions(self.idx._matrix(cond.field)[0])
        )
        mask = np.zeros(self.n, dtype=bool)
        out = np.zeros(self.n)
        mask[at[rows[keep]]] = True
        out[at[rows[keep]]] = values[keep]
        return mask, out

    def scores(self, cond, cache: dict) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(mask, None) for a yes/no clause, (None, values in 0..1) for a scored one, as
        ``_Index.clause_scores`` (text: every kept term)."""
        if isinstance(cond, Text):
            return None, self.bm25(cond, cache)
        if isinstance(cond, Similar):
            return None, self.similar(cond)[1]
        if isinstance(cond, Value):
            col = self.column(cond.field)
            with np.errstate(invalid="ignore"):
                return None, np.where(col > 0, col, 0.0)
        if isinstance(cond, Best):
            best = np.zeros(self.n)
            for code, weight in cond.weights:
                hit = self.term(cond.field, code) & (weight > best)
                best[hit] = weight
            return None, best
        if isinstance(cond, Coverage):
            count = np.zeros(self.n)
            for v in cond.values:
                count[self.term(cond.field, v)] += 1.0
            return None, count * self.doc_values(cond.norm_field)
        return self.mask(cond, cache), None
