"""Pure functions: app record (search.records) → index document.

The same document feeds both backends. Text fields hold Python-segmented tokens joined
by single spaces (lower-case), analysed by Elasticsearch's ``whitespace`` analyzer and by
the embedded backend's own inverted index.

Fields and types are declared in ``search.schema``. ``cases`` keeps each case's title,
cluster and tokens (stored, not indexed) so reasons can name the relevant case;
``service_evidence`` lists the services the provider's own description and cases name;
``profile_vector`` / ``case_vector`` / ``text_vector`` are the meaning of the profile, of the
cases and of a demand (``search.vectors``), absent when no word is known. Exposure counts
are not indexed: the caller passes the damped providers at query time. Talent documents
(people) and opening documents (talent needs) feed the talent matcher (``search.talent``).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor

from . import DEMANDS, EXPERTS, OPENINGS, PROVIDERS, TALENT
from .records import DemandRecord, ProviderRecord
from .scoring import service_evidence
from .text import Analyzer
from .vectors import load as load_vectors
from .vectors import stored_vector


def _int_or_none(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first(*values) -> int | None:
    for value in values:
        value = _int_or_none(value)
        if value is not None:
            return value
    return None


def _codes(values) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(str(v) for v in values if v))


def _label_text(item: Mapping) -> str:
    return " ".join([item.get("zh", ""), *(item.get("aliases") or ())])


# Tokens of one taxonomy entry's label and aliases, per analyser. Labels are separated by
# spaces, which jieba never segments across, so the ``keywords`` of a set of codes is the
# concatenation of each code's tokens: each label is segmented once per process.
_LABEL_TOKENS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _keywords(analyzer: Analyzer, taxonomy: Mapping, sections: list[tuple[str, list[str]]]) -> str:
    cache = _LABEL_TOKENS.get(analyzer)
    if cache is None:
        cache = _LABEL_TOKENS.setdefault(analyzer, {})
    out: list[str] = []
    for section, codes in sections:
        if not codes:
            continue
        by_code = {item["code"]: item for item in taxonomy.get(section, ())}
        for code in codes:
            item = by_code.get(code)
            if not item:
                continue
            text = _label_text(item)
            tokens = cache.get(text)
            if tokens is None:
                tokens = cache[text] = analyzer.segment(text)
            if tokens:
                out.append(tokens)
    return " ".join(out)


def provider_document(record: ProviderRecord, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    clusters = _codes(record.get("clusters"))
    services = _codes(record.get("services"))
    cases = []
    case_tokens: list[str] = []
    case_clusters = []
    for case in record.get("cases") or ():
        title = case.get("title") or ""
        tokens = analyzer.tokens(f"{title} {case.get('description') or ''}")
        cluster = case.get("cluster") or None
        cases.append(
            {
                "title": title,
                "cluster": cluster,
                "year": _int_or_none(case.get("year")),
                "tokens": " ".join(tokens),
            }
        )
        case_tokens += tokens
        if cluster and cluster not in case_clusters:
            case_clusters.append(cluster)
    name = record.get("name") or ""
    description_tokens = analyzer.tokens(record.get("description"))
    # The tokens of "name description": segmentation never crosses a space, so the
    # description is segmented once.
    profile_tokens = analyzer.tokens(name) + description_tokens
    vectors = load_vectors()
    doc = {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "name": name,
        "kind": record.get("kind") or None,
        "level": record.get("level") or "none",
        "region": record.get("region") or None,
        "clusters": clusters,
        "services": services,
        "case_clusters": case_clusters,
        "verified": bool(record.get("verified")),
        "team_size": _int_or_none(record.get("team_size")),
        "price_min": _int_or_none(record.get("price_min")),
        "price_max": _int_or_none(record.get("price_max")),
        "price_lo": _first(record.get("price_min"), record.get("price_max")),
        "price_hi": _first(record.get("price_max"), record.get("price_min")),
        "price_focus": price_focus(record.get("price_min"), record.get("price_max")),
        "created_at": record.get("created_at") or None,
        "sort_date": record.get("created_at") or None,
        "service_evidence": service_evidence(analyzer, taxonomy, description_tokens + case_tokens),
        "text": " ".join(profile_tokens),
        "case_text": " ".join(c["tokens"] for c in cases),
        "keywords": _keywords(analyzer, taxonomy, [("clusters", clusters), ("services", services)]),
        "cases": cases,
        # the enterprises' reviews: carried for the matcher, no signal reads it until measured
        "rating": record.get("rating"),
        "review_count": _int_or_none(record.get("review_count")) or 0,
    }
    _add_vector(doc, "profile_vector", stored_vector(vectors.vector(profile_tokens)))
    _add_vector(doc, "case_vector", stored_vector(vectors.vector(case_tokens)))
    return doc


def price_focus(price_min, price_max) -> float:
    """1 for a single price, 1/2 for a range of one order of magnitude, 1/3 for two…"""
    lo, hi = _int_or_none(price_min), _int_or_none(price_max)
    if not lo or not hi or hi <= lo:
        return 1.0
    return round(1.0 / (1.0 + math.log10(hi / lo)), 6)


def _add_vector(doc: dict, name: str, vector: list[float] | None) -> None:
    """Vectors are optional: a document without one is simply not similar to anything."""
    if vector is not None:
        doc[name] = vector


def demand_document(record: DemandRecord, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    services = _codes(record.get("services"))
    cluster = record.get("cluster") or None
    budget_min = _int_or_none(record.get("budget_min"))
    budget_max = _int_or_none(record.get("budget_max"))
    title = record.get("title") or ""
    tokens = analyzer.tokens(f"{title} {record.get('description') or ''}")
    created_at = record.get("created_at") or None
    published_at = record.get("published_at") or None
    doc = {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "title": title,
        "cluster": cluster,
        "services": services,
        "service_norm": round(1.0 / len(services), 6) if services else 0.0,
        "region": record.get("region") or None,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "budget_sort": budget_max if budget_max is not None else budget_min,
        "budget_lo": budget_min if budget_min is not None else budget_max,
        "budget_hi": budget_max if budget_max is not None else budget_min,
        "deadline": record.get("deadline") or None,
        "status": record.get("status") or None,
        "organization_name": record.get("organization_name") or "",
        "created_at": created_at,
        "published_at": published_at,
        "sort_date": published_at or created_at,
        "text": " ".join(tokens),
        "keywords": _keywords(
            analyzer, taxonomy, [("clusters", [cluster] if cluster else []), ("services", services)]
        ),
    }
    _add_vector(doc, "text_vector", stored_vector(load_vectors().vector(tokens)))
    return doc


def talent_document(record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    """A listed person: card fields, seniority, and the words and meaning of bio and works.

    The record carries no name, contact or employer, and the document keeps none.
    """
    specialities = _codes(record.get("specialities"))
    clusters = _codes(record.get("clusters"))
    works = " ".join(
        f"{w.get('title') or ''} {w.get('description') or ''}" for w in record.get("works") or ()
    )
    tokens = analyzer.tokens(f"{record.get('bio') or ''} {works}")
    created_at = record.get("created_at") or None
    doc = {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "specialities": specialities,
        "clusters": clusters,
        "region": record.get("region") or None,
        "title": record.get("title") or None,
        "title_rank": _int_or_none(record.get("title_rank")) or 0,
        "years": _int_or_none(record.get("years")) or 0,
        "seniority": record.get("seniority") or None,
        "availability": record.get("availability") or None,
        "created_at": created_at,
        "sort_date": created_at,
        "text": " ".join(tokens),
        "keywords": _keywords(
            analyzer, taxonomy, [("services", specialities), ("clusters", clusters)]
        ),
    }
    _add_vector(doc, "profile_vector", stored_vector(load_vectors().vector(tokens)))
    return doc


def opening_document(record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    """An open talent need (岗位)."""
    specialities = _codes(record.get("specialities"))
    clusters = _codes(record.get("clusters"))
    salary_min = _int_or_none(record.get("salary_min"))
    salary_max = _int_or_none(record.get("salary_max"))
    title = record.get("title") or ""
    tokens = analyzer.tokens(f"{title} {record.get('description') or ''}")
    created_at = record.get("created_at") or None
    doc = {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "title": title,
        "specialities": specialities,
        "speciality_norm": round(1.0 / len(specialities), 6) if specialities else 0.0,
        "clusters": clusters,
        "region": record.get("region") or None,
        "title_min_rank": _int_or_none(record.get("title_min_rank")) or 0,
        "years_min": _int_or_none(record.get("years_min")) or 0,
        "headcount": _int_or_none(record.get("headcount")) or 1,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "salary_lo": _first(salary_min, salary_max),
        "salary_hi": _first(salary_max, salary_min),
        "status": record.get("status") or None,
        "created_at": created_at,
        "sort_date": created_at,
        "text": " ".join(tokens),
        "keywords": _keywords(
            analyzer, taxonomy, [("services", specialities), ("clusters", clusters)]
        ),
    }
    _add_vector(doc, "text_vector", stored_vector(load_vectors().vector(tokens)))
    return doc


BUILDERS = {
    PROVIDERS: provider_document,
    DEMANDS: demand_document,
    TALENT: talent_document,
    EXPERTS: talent_document,  # an expert's record has the shape of a person's
    OPENINGS: opening_document,
}


def build_document(index: str, record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    builder = BUILDERS.get(index)
    if builder is None:
        raise ValueError(f"unknown index {index!r}")
    return builder(record, analyzer, taxonomy)


# -- many documents: worker processes for full rebuilds -----------------------------------
# Building a document (segmentation, meaning vectors) holds the GIL, so a rebuild uses the
# other cores through worker processes while this one sends. They are forked (the caller's
# main module is never re-run) and each builds its own analyser, so no lock held by another
# thread at fork time is ever taken in a worker. Small inputs stay in process: a worker's
# analyser (jieba's dictionary and the taxonomy's words) takes about a second to build.
POOL_MIN_RECORDS = 2_000
POOL_CHUNK = 250


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _pool_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork on this platform
        return None


_WORKER: dict = {}


def _init_worker(taxonomy: Mapping) -> None:
    _WORKER["taxonomy"] = taxonomy
    _WORKER["analyzer"] = Analyzer(taxonomy)


def _build_chunk(index: str, records: list, encode: Callable | None) -> list:
    analyzer, taxonomy = _WORKER["analyzer"], _WORKER["taxonomy"]
    docs = [build_document(index, r, analyzer, taxonomy) for r in records]
    return docs if encode is None else [encode(d) for d in docs]


def _chunks(records: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(itertools.islice(records, size))
        if not chunk:
            return
        yield chunk


def build_documents(
    index: str,
    records: Iterable[Mapping],
    analyzer: Analyzer,
    taxonomy: Mapping,
    workers: int | None = None,
    min_records: int | None = None,
    chunk: int | None = None,
    encode: Callable | None = None,
) -> Iterator:
    """``build_document`` for every record, in order; with ``encode`` (a module-level
    function, so that workers can receive it), what it returns for each document, computed
    where the document is built (a caller that only sends documents on leaves the encoding,
    and the copying of whole documents between processes, to the workers).

    With more than ``min_records`` records and more than one worker, the documents after the
    first ``min_records`` are built in ``workers`` processes while this process builds the
    first ones and its caller sends them on; a few chunks at most are in flight, so memory
    stays bounded. Records must be picklable (plain dicts of JSON-like values, as the app
    produces).
    """
    if index not in BUILDERS:
        raise ValueError(f"unknown index {index!r}")
    min_records = POOL_MIN_RECORDS if min_records is None else min_records
    chunk = POOL_CHUNK if chunk is None else chunk
    records = iter(records)
    head = list(itertools.islice(records, min_records))
    workers = default_workers() if workers is None else workers
    context = _pool_context()
    rest = None
    if workers > 1 and context is not None and len(head) >= min_records:
        first = list(itertools.islice(records, chunk))
        if first:
            rest = _chunks(itertools.chain(first, records), chunk)

    def build(record):
        doc = build_document(index, record, analyzer, taxonomy)
        return doc if encode is None else encode(doc)

    if rest is None:
        for record in itertools.chain(head, records):
            yield build(record)
        return
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(taxonomy,)
    )
    try:
        pending: deque = deque()
        limit = 4 * workers

        def feed() -> None:
            while len(pending) < limit:
                part = next(rest, None)
                if part is None:
                    return
                pending.append(pool.submit(_build_chunk, index, part, encode))

        feed()
        # The workers start up while this process builds the first records.
        for record in head:
            yield build(record)
        while pending:
            docs = pending.popleft().result()
            feed()
            yield from docs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
