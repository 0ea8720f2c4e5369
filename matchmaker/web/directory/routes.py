"""The public directory (no sign-in): verified providers, demand teasers, sitemap, robots."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from search import PROVIDERS, SearchQuery

from ...extensions import db
from ...services import directory
from ...taxonomy import get_taxonomy
from ..search_pages import budget_band_labels, page_number, provider_results

bp = Blueprint("directory", __name__)

PER_PAGE = 20


def _code(vocabulary: str, name: str) -> str | None:
    """A taxonomy code from the query string, or None when absent or unknown."""
    value = request.args.get(name, "").strip()
    return value if value in get_taxonomy().vocabulary(vocabulary).by_code else None


@bp.get("/directory")
def providers():
    q = request.args.get("q", "").strip()[:100]
    cluster, region = _code("clusters", "cluster"), _code("regions", "region")
    filters = {"verified": ["true"]}
    if cluster:
        filters["cluster"] = [cluster]
    if region:
        filters["region"] = [region]
    query = SearchQuery(
        index=PROVIDERS, text=q, filters=filters, page=page_number(), per_page=PER_PAGE, facets=()
    )
    state = {"q": q, "cluster": cluster or "", "region": region or ""}
    return provider_results("directory/providers.html", query, state)


@bp.get("/directory/demands")
def demands():
    cluster, region = _code("clusters", "cluster"), _code("regions", "region")
    page = page_number()
    items, total = directory.teasers(db.session, cluster, region, page, PER_PAGE)
    return render_template(
        "directory/demands.html",
        items=items,
        total=total,
        page=page,
        per_page=PER_PAGE,
        bands=budget_band_labels(),
        state={"cluster": cluster or "", "region": region or ""},
    )


@bp.get("/sitemap.xml")
def sitemap():
    pages = [
        (url_for("main.index", _external=True), None),
        (url_for(".providers", _external=True), None),
        (url_for(".demands", _external=True), None),
        (url_for("guides.index", _external=True), None),
        (url_for("accreditation.register", _external=True), None),
        (url_for("showcase.index", _external=True), None),
    ]
    pages += [
        (url_for("providers.profile_page", provider_id=pid, _external=True), changed)
        for pid, changed in directory.sitemap_providers(db.session)
    ]
    pages += [
        (url_for("guides.show", guide_id=gid, _external=True), published)
        for gid, published in directory.sitemap_guides(db.session)
    ]
    xml = render_template("directory/sitemap.xml", pages=pages)
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    lines = [
        "User-agent: *",
        "Disallow: /admin",
        "Disallow: /api/",
        "Disallow: /account",
        f"Sitemap: {url_for('.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
