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

from collections.abc import Mapping, Sequence

from ..schema import FIELDS
from ..scoring import All, Any, Best, Coverage, Not, Range, Term, Terms, Value

Values = Mapping[str, Sequence]  # a hit's ``fields``: doc values per field, always lists
LOCAL_TYPES = ("keyword", "boolean", "long", "double")


def fields(cond, index: str) -> set[str] | None:
    """The doc-value fields ``cond`` reads, or None when it cannot be scored here (text,
    dates, vectors: the engine scores those)."""
    types = FIELDS[index]
    if isinstance(cond, (Term, Terms, Range, Value, Best)):
        return {cond.field} if types.get(cond.field) in LOCAL_TYPES else None
    if isinstance(cond, Coverage):
        wanted = {cond.field, cond.norm_field}
        return wanted if all(types.get(f) in LOCAL_TYPES for f in wanted) else None
    if isinstance(cond, (All, Any)):
        out: set[str] = set()
        for c in cond.conds:
            part = fields(c, index)
            if part is None:
                return None
            out |= part
        return out
    if isinstance(cond, Not):
        return fields(cond.cond, index)
    return None


def _same(value, wanted) -> bool:
    if isinstance(value, str):  # keyword: the engine compares the query value as a string
        return value == (wanted if isinstance(wanted, str) else str(wanted))
    return value == wanted


def matches(cond, values: Values) -> bool:
    """Whether a document with these doc values matches ``cond`` (a yes/no condition)."""
    if isinstance(cond, Term):
        return any(_same(v, cond.value) for v in values.get(cond.field, ()))
    if isinstance(cond, Terms):
        return any(_same(v, w) for v in values.get(cond.field, ()) for w in cond.values)
    if isinstance(cond, Range):
        return any(_in_range(cond, v) for v in values.get(cond.field, ()))
    if isinstance(cond, All):
        return all(matches(c, values) for c in cond.conds)
    if isinstance(cond, Any):
        return any(matches(c, values) for c in cond.conds)
    if isinstance(cond, Not):
        return not matches(cond.cond, values)
    if isinstance(cond, Coverage):
        return matches(Terms(cond.field, cond.values), values)
    if isinstance(cond, Best):
        return matches(Terms(cond.field, tuple(c for c, _ in cond.weights)), values)
    if isinstance(cond, Value):
        return bool(values.get(cond.field))
    raise TypeError(f"not a doc-value condition: {cond!r}")


def _in_range(cond: Range, v) -> bool:
    return (
        (cond.gt is None or v > cond.gt)
        and (cond.gte is None or v >= cond.gte)
        and (cond.lt is None or v < cond.lt)
        and (cond.lte is None or v <= cond.lte)
    )


def value(cond, values: Values) -> float:
    """0..1 of a scored or yes/no condition, as the engine's clause scores it (over weight)."""
    if isinstance(cond, Best):
        mine = set(values.get(cond.field, ()))
        return max((w for c, w in cond.weights if c in mine), default=0.0)
    if isinstance(cond, Coverage):
        mine = set(values.get(cond.field, ()))
        count = sum(1 for v in cond.values if v in mine)
        norm = values.get(cond.norm_field) or (0.0,)
        return count * float(norm[0]) if count else 0.0
    if isinstance(cond, Value):
        found = values.get(cond.field)
        return float(found[0]) if found else 0.0
    return 1.0 if matches(cond, values) else 0.0
