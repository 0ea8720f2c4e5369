"""The steps search pages share: the query read from the address, the search itself, what the
page shows when the engine is unavailable, the providers' results and the budget bands."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from search import SearchQuery, SearchUnavailable

from ..extensions import db
from ..search_engine import get_search
from ..services import leads as lead_service
from ..services import matching, ratings

MAX_PAGE = 500
MAX_CHOSEN = 20  # codes per facet


def page_number(high: int = MAX_PAGE) -> int:
    """The page asked for in the address: 1 to ``high``; 1 when absent or not a number."""
    value = request.args.get("page", "")
    return min(max(int(value), 1), high) if value.isdigit() else 1


def faceted_query(
    index: str, facets: Collection[str], per_page: int, sorts: Collection[str] = ("relevance",)
) -> tuple[SearchQuery, dict]:
    """The search the address asks for (words, chosen facet codes, sort order, page) and the
    page's state to show it again: ``{"q", "sort", <facet>: [codes]}``."""
    chosen = {name: [v for v in request.args.getlist(name) if v][:MAX_CHOSEN] for name in facets}
    sort = request.args.get("sort", "relevance")
    sort = sort if sort in sorts else "relevance"
    q = request.args.get("q", "").strip()[:100]
    query = SearchQuery(
        index=index,
        text=q,
        filters={k: v for k, v in chosen.items() if v},
        sort=sort,
        page=page_number(),
        per_page=per_page,
        facets=tuple(facets),
    )
    return query, {"q": q, "sort": sort, **chosen}


def searched(search: Callable[..., Any], *args) -> tuple[Any, bool]:
    """``search(session, engine, *args)`` and whether the engine was unavailable: (results,
    False), or (None, True) for a page that says so instead of failing."""
    try:
        return search(db.session, get_search(), *args), False
    except SearchUnavailable:
        return None, True


def provider_results(template: str, query: SearchQuery, state: dict) -> str:
    """A page of providers found by ``query``, with their ratings (browsing and the directory)."""
    results, unavailable = searched(matching.search_providers, query)
    rows = results.rows if results else []
    return render_template(
        template,
        results=results,
        ratings=ratings.ratings(db.session, [row.id for row in rows]),
        search_unavailable=unavailable,
        state=state,
    )


def budget_band_labels() -> dict[str, str]:
    """The leads service's bands (by the top of each budget), in the page's language."""
    return {
        "lt50k": _("5 万元及以下"),
        "50k-200k": _("5–20 万元"),
        "200k-500k": _("20–50 万元"),
        "500k-1m": _("50–100 万元"),
        "gt1m": _("100 万元以上"),
        lead_service.NO_BUDGET: _("未注明预算"),
    }
