"""Points of the structural clauses computed from documents' doc values, not by the engine.

Explaining a few documents (Elasticsearch's last request of a match) used to name every
clause in the query: the dense ones (a region list, a price range, a missing level) made
Lucene walk their postings or points over the whole index for a hundred documents. Every
clause on keyword, boolean and number fields is a plain function of the document's values,
so those values are read as doc values with the hits and the clause is scored here with
Elasticsearch's semantics (a multi-valued field matches when one of its values does; a
missing field matches no term and no range). Text clauses still need the engine's BM25 and
similarities come from the nearest-documents request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..schema import FIELDS
from ..scoring import All, Any, Best, Coverage, Not, Range, Term, Terms, Value

Values = Mapping[str, Sequence]  # a hit's ``fields``: doc values per field, always lists
Scorer = Callable[[Values], float]  # 0..1 of a clause (over its weight), as the engine scores it
LOCAL_TYPES = ("keyword", "boolean", "long", "double")


class NotLocal(Exception):
    """The condition reads a field without usable doc values (text, dates, vectors)."""


def scorer(cond, index: str) -> tuple[set[str], Scorer] | None:
    """(the doc-value fields ``cond`` reads, its scorer), or None when only the engine can
    score it. Built once per request: the scorer runs for every explained document."""
    read: set[str] = set()
    try:
        return read, _scorer(cond, FIELDS[index], read)
    except NotLocal:
        return None


def _field(field: str, types: Mapping[str, str], read: set[str]) -> str:
    if types.get(field) not in LOCAL_TYPES:
        raise NotLocal(field)
    read.add(field)
    return field


def _wanted(field: str, values: Sequence, types: Mapping[str, str]) -> frozenset:
    """Query values as doc values come back: a keyword compares as a string."""
    if types[field] == "keyword":
        return frozenset(v if isinstance(v, str) else str(v) for v in values)
    return frozenset(values)


def _scorer(cond, types: Mapping[str, str], read: set[str]) -> Scorer:
    if isinstance(cond, Best):
        field = _field(cond.field, types, read)
        weights = dict(cond.weights)
        return lambda doc: max((weights.get(v, 0.0) for v in doc.get(field, ())), default=0.0)
    if isinstance(cond, Coverage):
        field = _field(cond.field, types, read)
        norm = _field(cond.norm_field, types, read)
        wanted = _wanted(field, cond.values, types)

        def coverage(doc: Values) -> float:
            count = len(wanted.intersection(doc.get(field, ())))
            return count * float((doc.get(norm) or (0.0,))[0]) if count else 0.0

        return coverage
    if isinstance(cond, Value):
        field = _field(cond.field, types, read)
        return lambda doc: float(doc[field][0]) if doc.get(field) else 0.0
    match = _matcher(cond, types, read)
    return lambda doc: 1.0 if match(doc) else 0.0


def _matcher(cond, types: Mapping[str, str], read: set[str]) -> Callable[[Values], bool]:
    """Whether a document matches a yes/no condition: a multi-valued field matches when one
    of its values does, a missing field matches no term and no range."""
    if isinstance(cond, (Term, Terms, Coverage, Best)):
        field = _field(cond.field, types, read)
        if isinstance(cond, Term):
            values: Sequence = (cond.value,)
        elif isinstance(cond, Best):
            values = [c for c, _ in cond.weights]
        else:
            values = cond.values
        wanted = _wanted(field, values, types)
        return lambda doc: not wanted.isdisjoint(doc.get(field, ()))
    if isinstance(cond, Range):
        field = _field(cond.field, types, read)
        gt, gte, lt, lte = cond.gt, cond.gte, cond.lt, cond.lte

        def in_range(v) -> bool:
            return (
                (gt is None or v > gt)
                and (gte is None or v >= gte)
                and (lt is None or v < lt)
                and (lte is None or v <= lte)
            )

        return lambda doc: any(in_range(v) for v in doc.get(field, ()))
    if isinstance(cond, Value):
        field = _field(cond.field, types, read)
        return lambda doc: bool(doc.get(field))
    if isinstance(cond, All):
        parts = [_matcher(c, types, read) for c in cond.conds]
        return lambda doc: all(p(doc) for p in parts)
    if isinstance(cond, Any):
        parts = [_matcher(c, types, read) for c in cond.conds]
        return lambda doc: any(p(doc) for p in parts)
    if isinstance(cond, Not):
        inner = _matcher(cond.cond, types, read)
        return lambda doc: not inner(doc)
    raise NotLocal(repr(cond))
