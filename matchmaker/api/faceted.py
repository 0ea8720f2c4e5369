"""What every faceted search endpoint does around its service: the engine's query from the
validated parameters, and the page of results with labelled facet counts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from search import SearchQuery

from ..services.matching import Results
from . import serializers as out


def search_query(
    index: str,
    params: Any,
    facets: Sequence[str],
    filters: Mapping[str, Collection[str]] | None = None,
    **options: Any,
) -> SearchQuery:
    """The query for ``params``: its text, page, and every facet it names as a filter
    (``filters`` adds those that are not facets); ``options`` are the index's own (sort…)."""
    chosen = {name: getattr(params, name) for name in facets if getattr(params, name)}
    return SearchQuery(
        index=index,
        text=params.q,
        filters={**chosen, **(filters or {})},
        page=params.page,
        per_page=params.per_page,
        facets=facets,
        **options,
    )


def page_out(
    model: type[BaseModel],
    results: Results,
    items: list,
    facets_model: type[BaseModel],
    vocabularies: Mapping[str, str] = out.FACET_VOCABULARIES,
) -> BaseModel:
    """``model`` (a page) of ``items`` with the engine's totals and ``results``' facets."""
    page = results.page
    return model(
        items=items,
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        facets=out.facets(page.facets, facets_model, vocabularies),
    )
