"""Faceted search as conditions of the scoring language (shared by both backends).

* Text: every query word must match (AND across words); a word matches through itself,
  one of its taxonomy synonyms (in the index's searched fields, ``schema.SEARCH_TEXT_FIELDS``)
  or all of its dictionary sub-words in ``text`` when ``text`` is searched. Relevance is the
  normalised BM25 of those terms on those fields, e.g. ``text`` (×1), ``case_text`` (×0.5)
  and ``keywords`` (×0.3) for providers; the talent pool searches its labels only.
* Salary: talent needs filter on their salary band like demands on their budget.
* Filters: OR within a field, AND across fields.
* Facets are *filter-aware* (disjunctive): a field's counts apply every filter except the
  field's own, so selecting one region still shows how many results the other regions
  would give. The hits themselves apply all filters (Elasticsearch: ``post_filter``).
* Budget: demands whose budget range overlaps the requested one (a demand with only one
  bound is treated as a point); providers whose price range overlaps it. Bands that must not
  overlap file each record under one number, the top of its range (``budget_top``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import DEMANDS, SearchQuery
from .schema import FILTER_FIELDS, RANGE_FIELDS, TOP_FIELDS
from .schema import SEARCH_TEXT_FIELDS as TEXT_FIELDS
from .scoring import All, Any, Clause, Not, Range, Term, Terms, Text
from .text import Analyzer

SORTS = ("relevance", "newest", "budget")


@dataclass
class SearchPlan:
    index: str
    base: list  # conditions every hit meets (text, ids, budget)
    filters: dict  # facet field → condition (OR of its codes)
    clauses: list[Clause]  # relevance
    facets: dict  # facet name → document field
    sort: str
    has_text: bool
    offset: int
    size: int
    page: int
    per_page: int
    extra: dict = field(default_factory=dict)


def _filter_values(name: str, values) -> tuple:
    if name == "verified":
        out = []
        for v in values:
            s = str(v).strip().lower()
            if s in ("true", "1", "yes"):
                out.append(True)
            elif s in ("false", "0", "no"):
                out.append(False)
        return tuple(dict.fromkeys(out))
    return tuple(dict.fromkeys(str(v) for v in values if v is not None and str(v) != ""))


def search_plan(query: SearchQuery, analyzer: Analyzer) -> SearchPlan:
    index = query.index
    if index not in FILTER_FIELDS:
        raise ValueError(f"unknown index {index!r}")
    fields = FILTER_FIELDS[index]
    base: list = []
    if query.ids is not None:
        base.append(Terms("id", tuple(sorted({int(i) for i in query.ids}))))
    ranged = (query.budget_min, query.budget_max, query.budget_top, query.without_budget or None)
    if index not in RANGE_FIELDS:
        if any(value is not None for value in ranged):
            raise ValueError(f"{index} has no range to filter on")
        lo_field = hi_field = ""
    else:
        lo_field, hi_field = RANGE_FIELDS[index]
    if query.budget_min is not None:
        base.append(Range(hi_field, gte=query.budget_min))
    if query.budget_max is not None:
        base.append(Range(lo_field, lte=query.budget_max))
    if query.budget_top is not None:
        low, high = query.budget_top
        base.append(Range(TOP_FIELDS[index], gt=low, lte=high))
    if query.without_budget:
        base.append(Not(Range(TOP_FIELDS[index], gte=0)))
    units = analyzer.query_units(query.text)
    weights: dict[str, float] = {}
    text_fields = TEXT_FIELDS[index]
    for alternatives, parts in units:
        options = [Terms(f, tuple(alternatives)) for f, _ in text_fields]
        if parts and any(f == "text" for f, _ in text_fields):
            options.append(All(tuple(Term("text", p) for p in parts)))
        base.append(Any(tuple(options)))
        for i, term in enumerate(alternatives):
            w = 1.0 if i == 0 else 0.5
            weights[term] = max(weights.get(term, 0.0), w)
        for term in parts:
            weights[term] = max(weights.get(term, 0.0), 0.5)
    terms = tuple(sorted(weights.items()))
    clauses = (
        [Clause(f"text_{f}", "text", w, Text(f, terms)) for f, w in text_fields] if terms else []
    )
    filters = {}
    for name, values in (query.filters or {}).items():
        if name not in fields:
            raise ValueError(f"unknown filter {name!r} for {index}")
        vals = _filter_values(name, values if not isinstance(values, str) else [values])
        if vals:
            filters[name] = Terms(fields[name], vals)
    facets = {}
    for name in query.facets or ():
        if name not in fields:
            raise ValueError(f"unknown facet {name!r} for {index}")
        facets[name] = fields[name]
    sort = query.sort if query.sort in SORTS else "relevance"
    if sort == "budget" and index != DEMANDS:
        sort = "relevance"
    page = max(1, int(query.page or 1))
    per_page = max(1, min(100, int(query.per_page or 20)))
    return SearchPlan(
        index=index,
        base=base,
        filters=filters,
        clauses=clauses,
        facets=facets,
        sort=sort,
        has_text=bool(units),
        offset=(page - 1) * per_page,
        size=per_page,
        page=page,
        per_page=per_page,
    )


def facet_filter(plan: SearchPlan, exclude: str | None = None):
    conds = tuple(c for name, c in plan.filters.items() if name != exclude)
    return All(conds)


def verified_code(value) -> str:
    return "true" if value in (True, "true", 1) else "false"
