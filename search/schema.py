"""The index schema, declared once: fields, types, sort keys and facets of both indices.

The Elasticsearch backend turns it into mappings (``mapping``); the embedded backend reads
the same field lists to build its postings, columns and vector matrices. A breaking change
bumps the index's ``VERSION`` (a new concrete index, rolled out with ``reindex``).

Types: ``keyword`` (exact codes, filters, facets), ``long`` / ``double`` (ranges, sorts),
``boolean``, ``date``, ``sort_key`` (a string sorted as is), ``text`` (space-joined tokens
from ``search.text``, whitespace-analysed), ``vector`` (unit vector of the shipped word
vectors' dimensions, dot-product similarity, exact search: no graph to build at indexing, and
the same nearest documents as the embedded backend's numpy at any size),
``stored`` (kept for reasons, not indexed).

Document vectors are only comparable with query vectors of the same word vectors, so new
word vectors bump both versions too (``matchmaker search reindex`` once per release).
"""

from __future__ import annotations

from . import DEMANDS, EXPERTS, OPENINGS, PROVIDERS, TALENT
from .vectors import load as load_vectors

VERSION = {PROVIDERS: 3, DEMANDS: 3, TALENT: 2, OPENINGS: 2, EXPERTS: 1}

FIELDS: dict[str, dict[str, str]] = {
    PROVIDERS: {
        "id": "long",
        "version": "long",
        "name": "stored",
        "kind": "keyword",
        "level": "keyword",
        "region": "keyword",
        "clusters": "keyword",
        "services": "keyword",
        "service_evidence": "keyword",
        "case_clusters": "keyword",
        "verified": "boolean",
        "team_size": "long",
        "price_min": "long",
        "price_max": "long",
        "price_lo": "long",
        "price_hi": "long",
        "price_focus": "double",
        "created_at": "date",
        "sort_date": "sort_key",
        "text": "text",
        "case_text": "text",
        "keywords": "text",
        "profile_vector": "vector",
        "case_vector": "vector",
        "cases": "stored",
        "rating": "stored",
        "review_count": "stored",
    },
    DEMANDS: {
        "id": "long",
        "version": "long",
        "title": "stored",
        "cluster": "keyword",
        "services": "keyword",
        "service_norm": "double",
        "region": "keyword",
        "budget_min": "long",
        "budget_max": "long",
        "budget_sort": "long",
        "budget_lo": "long",
        "budget_hi": "long",
        "deadline": "date",
        "status": "keyword",
        "organization_name": "stored",
        "created_at": "date",
        "published_at": "date",
        "sort_date": "sort_key",
        "text": "text",
        "keywords": "text",
        "text_vector": "vector",
    },
    # A person's card fields, their seniority and the words of their profile and works. No
    # name, contact, employer or education: the index holds what matching needs, nothing
    # that identifies the person.
    TALENT: {
        "id": "long",
        "version": "long",
        "specialities": "keyword",
        "clusters": "keyword",
        "region": "keyword",
        "title": "keyword",
        "title_rank": "long",
        "years": "long",
        "seniority": "keyword",
        "availability": "keyword",
        "created_at": "date",
        "sort_date": "sort_key",
        "text": "text",
        "keywords": "text",
        "profile_vector": "vector",
    },
    OPENINGS: {
        "id": "long",
        "version": "long",
        "title": "stored",
        "specialities": "keyword",
        "speciality_norm": "double",
        "clusters": "keyword",
        "region": "keyword",
        "title_min_rank": "long",
        "years_min": "long",
        "headcount": "long",
        "salary_min": "long",
        "salary_max": "long",
        "salary_lo": "long",
        "salary_hi": "long",
        "status": "keyword",
        "created_at": "date",
        "sort_date": "sort_key",
        "text": "text",
        "keywords": "text",
        "text_vector": "vector",
    },
}
FIELDS[EXPERTS] = FIELDS[TALENT]  # experts are matched as people of the talent pool are

# Search filters and facets: API name → document field (OR within one, AND across).
FILTER_FIELDS = {
    DEMANDS: {"cluster": "cluster", "service": "services", "region": "region", "status": "status"},
    PROVIDERS: {
        "cluster": "clusters",
        "service": "services",
        "region": "region",
        "level": "level",
        "kind": "kind",
        "verified": "verified",
    },
    TALENT: {
        "speciality": "specialities",
        "cluster": "clusters",
        "region": "region",
        "title": "title",
        "seniority": "seniority",
        "availability": "availability",
    },
    OPENINGS: {
        "speciality": "specialities",
        "cluster": "clusters",
        "region": "region",
        "status": "status",
    },
}
FILTER_FIELDS[EXPERTS] = FILTER_FIELDS[TALENT]
# Text fields searched by a query, with their weight. The talent pool is searched by its
# taxonomy labels only, so that nobody finds a person by a word of their private profile.
SEARCH_TEXT_FIELDS = {
    DEMANDS: (("text", 1.0), ("keywords", 0.3)),
    PROVIDERS: (("text", 1.0), ("case_text", 0.5), ("keywords", 0.3)),
    TALENT: (("keywords", 1.0),),
    EXPERTS: (("keywords", 1.0),),
    OPENINGS: (("text", 1.0), ("keywords", 0.3)),
}
# (low, high) fields of the budget / price / salary range a search filters on.
RANGE_FIELDS = {
    DEMANDS: ("budget_lo", "budget_hi"),
    PROVIDERS: ("price_lo", "price_hi"),
    OPENINGS: ("salary_lo", "salary_hi"),
}
TOP_FIELDS = {DEMANDS: "budget_sort", PROVIDERS: "price_hi", OPENINGS: "salary_hi"}
SORT_FIELDS = {"newest": "sort_date", "budget": "budget_sort"}


def fields_of(index: str, *types: str) -> tuple[str, ...]:
    return tuple(f for f, t in FIELDS[index].items() if t in types)


def _property(kind: str) -> dict:
    if kind in ("keyword", "sort_key"):
        return {"type": "keyword"}
    if kind in ("long", "double", "boolean"):
        return {"type": kind}
    if kind == "date":
        return {"type": "date", "ignore_malformed": True}
    if kind == "text":
        return {"type": "text", "analyzer": "whitespace"}
    if kind == "vector":
        return {
            "type": "dense_vector",
            "dims": load_vectors().dims,
            "similarity": "dot_product",
            "index": True,
            "index_options": {"type": "flat"},
        }
    if kind == "stored":
        return {"type": "object", "enabled": False}
    raise ValueError(f"unknown field type {kind!r}")


def mapping(index: str) -> tuple[int, dict]:
    """(version, Elasticsearch index body) of ``index``."""
    return VERSION[index], {
        "settings": {
            "number_of_shards": 1,  # exact term statistics: both backends share one IDF
            "number_of_replicas": 0,
            "index": {"gc_deletes": "7d"},  # delete tombstones outlive a slow outbox
        },
        "mappings": {
            "dynamic": False,
            "properties": {f: _property(t) for f, t in FIELDS[index].items()},
        },
    }
