"""Elasticsearch backend (official client, 8.x).

Works on a bare server: no scripts, no analysis plugins. Text is segmented in Python
(``search.text``) and indexed as space-joined tokens analysed by the built-in
``whitespace`` analyzer; synonyms are expanded in Python.

The matcher (``search.scoring``) is executed in five requests, each doing only what the
next one needs:

1. *Nearest documents* (one ``_msearch``): for each similarity clause, the ``top``
   documents nearest the query vector, exact (``knn`` on a ``flat`` ``dense_vector``
   field), as ids and ``(1 + dot) / 2`` from doc values. For a demand this request comes
   first and also gives the industry inference its neighbours (the first of the nearest by
   case vector), since the matcher compares the same vector with both provider fields.
2. *Term statistics* (``termvectors``, below).
3. *First phase* (``_search``, ids only): the disjunction of the *evidence* clauses alone
   (a hit is a candidate), ``filter`` the hard filters, with ``track_total_hits`` off, so
   Lucene skips the candidates that cannot reach the window instead of scoring most of the
   index. Text is a ``bool`` of boosted ``term`` queries with the clause's *informative*
   terms only (each boost = points × query weight / Σ(weight × idf) over all kept terms, so
   the BM25 sum is the normalised share of the query); cluster credit a ``dis_max`` of
   boosted ``constant_score`` clauses (the best of the document's clusters); the share of a
   demand's services (leads) a ``function_score`` with ``field_value_factor``; a similarity
   the documents of request 1 grouped in bands of ``BAND``, one ``terms`` query on ids per
   band (no vector read again). A ``rescore`` over the window adds the rest: the text
   clauses' *common* terms and the signals that make no candidate (yes/no conditions as
   boosted ``constant_score`` filters, the document's own numbers as
   ``field_value_factor``), checked on the window's documents only. No clause is named and
   no multiplier applied, so the request stays cheap; it returns the window's ids and
   scores. Here each score gets its exact similarities back in place of their bands and the
   multipliers: the same points as the embedded backend's, ordered exactly (ties by id).
4. *Explanation* (``_search`` on the best ``depth`` ids): the text clauses named
   (``include_named_queries_score``: the engine's BM25), every other clause scored here
   from the hits' doc values (``doc_values``; named, a dense clause such as a region list
   or a price range walked its postings over the whole index), the similarities from
   request 1. Its points per clause feed the re-ranking trees and the reasons.
5. *Documents* (``_search`` on the final top k ids): the stored fields the reasons read,
   for those k only (reading them for the ``depth`` explained documents cost several
   times this request).

Hits of more than a few documents are read as doc values (``IDS_ONLY``): reading each
hit's stored ``_id`` costs more than the search at hundreds of hits.

Term statistics for the normaliser come from one ``termvectors`` call on an artificial
document (``term_statistics``), so both backends use the same IDF. Indices have one shard
(exact statistics).

Facets: ``post_filter`` applies the facet filters to the hits, each facet's ``terms``
aggregation sits in a ``filter`` aggregation with every *other* facet filter
(filter-aware counts, as in the embedded backend).

Versioning: every write and delete carries the record version with
``version_type=external_gte``; conflicts (an older version) are ignored. Deletes leave
tombstones for ``index.gc_deletes`` (7 days in the mapping files).

Connection errors and timeouts raise ``SearchUnavailable``.
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import elastic_transport
import numpy as np
from elasticsearch import ApiError, Elasticsearch, helpers
from elasticsearch.serializer import OrjsonSerializer

from .. import (
    DEMANDS,
    EXPERTS,
    INDICES,
    OPENINGS,
    PROVIDERS,
    TALENT,
    FacetValue,
    Hit,
    IndexStatus,
    Page,
    SearchBackend,
    SearchQuery,
    SearchUnavailable,
    lifecycle,
    parse_nodes,
)
from ..breaker import CircuitBreaker, CircuitOpen
from ..documents import build_document, build_documents
from ..query import facet_filter, search_plan, verified_code
from ..schema import fields_of
from ..scoring import (
    VECTOR_TOP,
    All,
    Any,
    Best,
    Candidate,
    Coverage,
    Not,
    Range,
    Similar,
    Spec,
    Term,
    Terms,
    Text,
    Value,
    factors,
    finish,
    lead_spec,
    provider_spec,
    text_stats,
)
from ..talent import opening_spec, talent_spec
from ..text import get_analyzer
from ..vectors import NEIGHBOURS
from . import doc_values

SOURCE_FIELDS = {
    PROVIDERS: ["id", "kind", "level", "region", "clusters", "services", "cases"],
    DEMANDS: ["id", "cluster", "services", "region", "status"],
    TALENT: ["id", "specialities", "clusters", "region", "availability"],
    EXPERTS: ["id", "specialities", "clusters", "region", "availability"],
    OPENINGS: ["id", "specialities", "clusters", "region", "status"],
}


WRITE_TIMEOUT = 60.0  # seconds; searches use ELASTICSEARCH_TIMEOUT
BULK_CHUNK = 500  # documents per bulk request
# Bulk requests in flight during a rebuild (each document once into a new index, so their
# order does not matter): with one, the engine idles while the next request is encoded and
# sent, and this process idles while the engine indexes; two kept a 10,000-document load
# about 40 % shorter on two cores.
REINDEX_STREAMS = 2
BAND = 0.01  # first phase: a similarity counts as its nearest multiple of this


# Hits as ids from doc values: no stored field read per hit (for hundreds of hits, reading
# each one's stored ``_id`` costs more than the search).
IDS_ONLY = {"stored_fields": "_none_", "docvalue_fields": ["id"]}


# A document's JSON for the bulk requests: orjson gives the same values as the client's own
# encoder (a test reads the stored sources back) for about a fifth of the CPU.
_SOURCE = OrjsonSerializer()


def _encoded(doc: dict) -> tuple[str, int, bytes]:
    """What a document's bulk action needs: its id, version and JSON source. A rebuild runs
    it in the processes that build the documents, so this one only sends bytes on."""
    return str(doc["id"]), int(doc["version"]), _SOURCE.dumps(doc)


def _doc_id(hit: Mapping) -> int:
    return int(hit["fields"]["id"][0])


def _named(query: dict, name: str | None) -> dict:
    """``query`` with ``_name`` set on its (only) top-level key when ``name`` is given."""
    if name is not None:
        next(iter(query.values()))["_name"] = name
    return query


def _band(value: float) -> float:
    return round(value / BAND) * BAND


def _bands(weight: float, values: Mapping[int, float]) -> dict | None:
    """A similarity clause for the first phase: documents grouped by their value's band,
    each group one ``terms`` query on the ids, boosted by weight × band (no scripts, and no
    second pass over the vectors: their exact values were fetched already). Grouped with
    numpy: a clause has up to ``VECTOR_TOP`` documents, and ``_band``'s arithmetic."""
    if not values:
        return None
    ids = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
    bands = np.round(np.fromiter(values.values(), dtype=np.float64, count=len(values)) / BAND)
    bands *= BAND
    order = np.lexsort((ids, bands))
    ids, bands = ids[order], bands[order]
    starts = np.flatnonzero(np.r_[True, bands[1:] != bands[:-1]])
    return {
        "bool": {
            "should": [
                {"constant_score": {"filter": {"terms": {"id": group}}, "boost": weight * b}}
                for group, b in zip(
                    (g.tolist() for g in np.split(ids, starts[1:])),
                    bands[starts].tolist(),
                    strict=True,
                )
            ]
        }
    }


def _unavailable(exc: Exception) -> SearchUnavailable:
    return SearchUnavailable(f"Elasticsearch unavailable: {exc}")


class ElasticBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(
        self,
        client: Elasticsearch,
        taxonomy: Mapping,
        prefix: str = "matchmaker-",
        replicas: int | None = None,
    ):
        self.client = client
        # Index changes and rebuilds run in background jobs and may wait for the cluster.
        self.write_client = client.options(request_timeout=WRITE_TIMEOUT)
        self.taxonomy = taxonomy
        self.analyzer = get_analyzer(taxonomy)
        self.prefix = prefix
        self.replicas = replicas
        self.build_workers: int | None = None  # reindex: document-building processes (None: cores)
        self.breaker = CircuitBreaker()
        self._ensured = False

    @classmethod
    def from_settings(cls, settings: Mapping, taxonomy: Mapping) -> ElasticBackend:
        nodes = parse_nodes(settings["ELASTICSEARCH_URL"])
        kwargs: dict = {
            # A match reads thousands of hits: orjson parses them several times faster.
            "serializer": OrjsonSerializer(),
            "request_timeout": float(settings.get("ELASTICSEARCH_TIMEOUT") or 5),
            "max_retries": max(1, len(nodes) - 1),  # on a cluster, each other node once
            "retry_on_timeout": False,
        }
        if settings.get("ELASTICSEARCH_API_KEY"):
            kwargs["api_key"] = settings["ELASTICSEARCH_API_KEY"]
        elif settings.get("ELASTICSEARCH_USERNAME"):
            kwargs["basic_auth"] = (
                settings["ELASTICSEARCH_USERNAME"],
                settings.get("ELASTICSEARCH_PASSWORD") or "",
            )
        if settings.get("ELASTICSEARCH_CA_CERTS"):
            kwargs["ca_certs"] = settings["ELASTICSEARCH_CA_CERTS"]
        verify = settings.get("ELASTICSEARCH_VERIFY_CERTS")
        if verify is not None and str(verify).lower() in ("0", "false", "no", "off"):
            kwargs["verify_certs"] = False
            kwargs["ssl_show_warn"] = False
        client = Elasticsearch(nodes, **kwargs)
        prefix = settings.get("SEARCH_INDEX_PREFIX")
        replicas = settings.get("SEARCH_INDEX_REPLICAS")
        backend = cls(
            client,
            taxonomy,
            "matchmaker-" if prefix is None else prefix,
            None if replicas in (None, "") else int(replicas),
        )
        breaker = settings.get("SEARCH_BREAKER_SECONDS")
        if breaker is not None:
            backend.breaker = CircuitBreaker(reset_after=float(breaker))
        return backend

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, fn, *args, **kwargs):
        """Every call to the engine: through the breaker, failures as SearchUnavailable."""
        try:
            self.breaker.before_call()
        except CircuitOpen as exc:
            raise SearchUnavailable(f"Elasticsearch unavailable: {exc}") from None
        try:
            result = self._guarded(fn, *args, **kwargs)
        except SearchUnavailable:
            self.breaker.failed()
            raise
        except BaseException:
            self.breaker.succeeded()  # the engine answered, if with an error
            raise
        self.breaker.succeeded()
        return result

    @staticmethod
    def _guarded(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
            raise _unavailable(exc) from exc
        except elastic_transport.TransportError as exc:
            raise _unavailable(exc) from exc
        except ApiError as exc:
            if exc.meta.status in (429, 502, 503, 504):
                raise _unavailable(exc) from exc
            raise

    def _alias(self, index: str) -> str:
        if index not in INDICES:
            raise ValueError(f"unknown index {index!r}")
        return lifecycle.alias_name(self.prefix, index)

    def ensure_indices(self) -> None:
        for name in INDICES:
            self._call(lifecycle.ensure, self.client, self.prefix, name, self.replicas)
        self._ensured = True

    def _ensure(self) -> None:
        if not self._ensured:
            self.ensure_indices()

    def _bulk(self, target: str, actions: Iterable[dict], progress=None, streams: int = 1) -> int:
        """Send ``actions`` in bulk requests of ``BULK_CHUNK``, ``streams`` requests in flight
        at once. Results come back in the actions' order either way, but with more than one
        stream the engine may apply two requests out of order: only for a rebuild, where each
        document is written once."""
        results = (
            self._parallel_bulk(target, actions, streams)
            if streams > 1
            else self._stream_bulk(target, actions)
        )
        count = 0
        errors = []
        for ok, info in results:
            count += 1
            if not ok:
                item = next(iter(info.values()))
                if item.get("status") == 409 or (
                    item.get("status") == 404 and next(iter(info)) == "delete"
                ):
                    continue
                errors.append(item)
            if progress and count % BULK_CHUNK == 0:
                progress(count)
        if errors:
            raise RuntimeError(f"bulk indexing failed for {len(errors)} documents: {errors[:3]}")
        if progress:
            progress(count)
        return count

    def _stream_bulk(self, target: str, actions: Iterable[dict]) -> Iterator[tuple[bool, dict]]:
        return helpers.streaming_bulk(
            self.write_client,
            actions,
            index=target,
            chunk_size=BULK_CHUNK,
            raise_on_error=False,
            raise_on_exception=True,
        )

    def _parallel_bulk(
        self, target: str, actions: Iterable[dict], streams: int
    ) -> Iterator[tuple[bool, dict]]:
        """``_stream_bulk``'s results, in order, with ``streams`` requests in flight. The
        actions are read in this thread (a rebuild's records come from the caller's database
        session), only the requests are sent from others."""
        actions = iter(actions)
        with ThreadPoolExecutor(max_workers=streams) as pool:
            pending: deque = deque()
            while chunk := list(itertools.islice(actions, BULK_CHUNK)):
                pending.append(pool.submit(lambda c=chunk: list(self._stream_bulk(target, c))))
                if len(pending) > streams:  # the next chunk is read while `streams` are sent
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()

    def _index_actions(self, index: str, records: Iterable[Mapping], many: bool = False):
        if many:
            encoded = build_documents(
                index, records, self.analyzer, self.taxonomy, self.build_workers, encode=_encoded
            )
        else:
            encoded = (
                _encoded(build_document(index, r, self.analyzer, self.taxonomy)) for r in records
            )
        for doc_id, version, source in encoded:
            yield {
                "_op_type": "index",
                "_id": doc_id,
                "version": version,
                "version_type": "external_gte",
                "_source": source,  # JSON already: the bulk helpers send bytes as they are
            }

    # -- writes ---------------------------------------------------------------------------
    def index(self, index: str, records: Iterable[Mapping]) -> None:
        alias = self._alias(index)
        self._ensure()
        self._call(self._bulk, alias, self._index_actions(index, records))

    def delete(self, index: str, ids_with_versions: Iterable[tuple[int, int]]) -> None:
        alias = self._alias(index)
        self._ensure()
        actions = (
            {
                "_op_type": "delete",
                "_id": str(int(i)),
                "version": int(v),
                "version_type": "external_gte",
            }
            for i, v in ids_with_versions
        )
        self._call(self._bulk, alias, actions)

    def reindex(self, index: str, records: Iterable[Mapping], progress=None) -> int:
        self._alias(index)
        self._ensure()
        return self._call(
            lifecycle.reindex,
            self.write_client,
            self.prefix,
            index,
            self._index_actions(index, records, many=True),
            functools.partial(self._bulk, streams=REINDEX_STREAMS),
            progress,
            self.replicas,
        )

    def status(self) -> list[IndexStatus]:
        out = []
        for name in INDICES:
            alias = self._alias(name)
            targets = self._call(lifecycle.alias_targets, self.client, self.prefix, name)
            documents = 0
            if targets:
                documents = self._call(self.client.count, index=alias).body["count"]
            out.append(IndexStatus(index=name, alias=alias, concrete=targets, documents=documents))
        return out

    def refresh(self) -> None:
        self._ensure()
        self._call(
            self.write_client.indices.refresh, index=",".join(self._alias(n) for n in INDICES)
        )

    def drop_all(self) -> None:
        self._call(lifecycle.drop_all, self.write_client, self.prefix)
        self._ensured = False

    def check_health(self, timeout: float) -> None:
        """The cluster answers and none of this prefix's indices misses a primary shard."""
        health = self._call(
            self.client.options(request_timeout=timeout).cluster.health,
            index=f"{self.prefix}*",
        )
        if health["status"] == "red":
            raise SearchUnavailable(
                f"Elasticsearch cluster {health['cluster_name']} is red for {self.prefix}*: "
                f"{health['unassigned_shards']} shards unassigned"
            )

    def close(self) -> None:
        self.client.close()

    # -- query translation ----------------------------------------------------------------
    def _text_stats(self, alias: str, conds: list[Text]) -> dict:
        """{(field, terms): (weights, total)} from one termvectors call."""
        if not conds:
            return {}
        doc: dict[str, str] = {}
        for c in conds:
            words = doc.setdefault(c.field, "")
            doc[c.field] = (words + " " + " ".join(t for t, _ in c.terms)).strip()
        resp = self._call(
            self.client.termvectors,
            index=alias,
            doc=doc,
            fields=sorted(doc),
            term_statistics=True,
            field_statistics=True,
            positions=False,
            offsets=False,
            payloads=False,
            realtime=False,
        ).body
        vectors = resp.get("term_vectors") or {}
        out = {}
        for c in conds:
            info = vectors.get(c.field) or {}
            doc_count = (info.get("field_statistics") or {}).get("doc_count", 0)
            dfs = {t: v.get("doc_freq", 0) for t, v in (info.get("terms") or {}).items()}
            out[(c.field, c.terms)] = text_stats(c.terms, dfs, doc_count)
        return out

    def _collect_text(self, node, acc: list) -> None:
        if isinstance(node, Text):
            acc.append(node)
        elif isinstance(node, (All, Any)):
            for c in node.conds:
                self._collect_text(c, acc)
        elif isinstance(node, Not):
            self._collect_text(node.cond, acc)

    def _filter(self, cond, stats: dict) -> dict:
        if isinstance(cond, Term):
            return {"term": {cond.field: cond.value}}
        if isinstance(cond, Terms):
            return {"terms": {cond.field: list(cond.values)}}
        if isinstance(cond, Range):
            spec = {
                k: getattr(cond, k)
                for k in ("gt", "gte", "lt", "lte")
                if getattr(cond, k) is not None
            }
            return {"range": {cond.field: spec}}
        if isinstance(cond, All):
            if not cond.conds:
                return {"match_all": {}}
            pos = [self._filter(c, stats) for c in cond.conds if not isinstance(c, Not)]
            neg = [self._filter(c.cond, stats) for c in cond.conds if isinstance(c, Not)]
            body: dict = {}
            if pos:
                body["filter"] = pos
            if neg:
                body["must_not"] = neg
            return {"bool": body}
        if isinstance(cond, Any):
            if not cond.conds:
                return {"match_none": {}}
            return {
                "bool": {
                    "should": [self._filter(c, stats) for c in cond.conds],
                    "minimum_should_match": 1,
                }
            }
        if isinstance(cond, Not):
            return {"bool": {"must_not": [self._filter(cond.cond, stats)]}}
        if isinstance(cond, Text):
            weights = stats[(cond.field, cond.terms)][0]
            if not weights:
                return {"match_none": {}}
            return {"terms": {cond.field: sorted(weights)}}
        if isinstance(cond, Coverage):
            return {"terms": {cond.field: list(cond.values)}}
        if isinstance(cond, Best):
            return {"terms": {cond.field: [c for c, _ in cond.weights]}}
        if isinstance(cond, Value):
            return {"exists": {"field": cond.field}}
        raise TypeError(f"unknown condition {cond!r}")

    @staticmethod
    def _text_query(
        name: str | None, weight: float, cond: Text, stats: dict, part: str = "all"
    ) -> dict | None:
        """Boosted ``term`` queries of a text clause: all its kept terms, or one phase's part."""
        weights, total, informative = stats[(cond.field, cond.terms)]
        if not weights or total <= 0:
            return None
        if part == "informative":
            terms = [t for t in sorted(weights) if t in informative]
        elif part == "common":
            terms = [t for t in sorted(weights) if t not in informative]
        else:
            terms = sorted(weights)
        if not terms:
            return None
        query_w = dict(cond.terms)
        should = [
            {"term": {cond.field: {"value": t, "boost": weight * query_w[t] / total}}}
            for t in terms
        ]
        return _named({"bool": {"should": should}}, name)

    def _scoring(self, name: str | None, weight: float, cond, stats: dict) -> dict | None:
        """One clause as a query (``_name`` = ``name``, so its points come back; None: not)."""
        if isinstance(cond, Text):
            return self._text_query(name, weight, cond, stats)
        if isinstance(cond, Best):
            queries = [
                {"constant_score": {"filter": {"term": {cond.field: c}}, "boost": w}}
                for c, w in cond.weights
            ]
            return _named(
                {"dis_max": {"queries": queries, "tie_breaker": 0.0, "boost": weight}}, name
            )
        if isinstance(cond, Value):
            factor = {"field_value_factor": {"field": cond.field, "factor": weight}}
            return _named(
                {
                    "function_score": {
                        "query": {"exists": {"field": cond.field}},
                        "functions": [factor],
                        "boost_mode": "replace",
                    }
                },
                name,
            )
        if isinstance(cond, Coverage):
            should = [
                {"constant_score": {"filter": {"term": {cond.field: v}}, "boost": 1.0}}
                for v in cond.values
            ]
            share = {"field_value_factor": {"field": cond.norm_field, "missing": 0}}
            return _named(
                {
                    "function_score": {
                        "query": {"bool": {"should": should, "minimum_should_match": 1}},
                        "functions": [share],
                        "boost_mode": "multiply",
                        "boost": weight,
                    }
                },
                name,
            )
        return _named(
            {"constant_score": {"filter": self._filter(cond, stats), "boost": weight}}, name
        )

    def _first_phase(self, spec: Spec, stats: dict, k: int, nearest: dict) -> dict | None:
        """Search body of the first phase and its rescore; None: no candidate.

        The query is the disjunction of the *evidence* clauses alone (text with its
        informative terms), so Lucene can skip the documents that cannot reach the window
        (dynamic pruning: with no other clause and no total to count, a disjunction's top
        hits need not score every candidate). The ``rescore`` gives the window's documents
        everything else: the text clauses' common terms and the signals that make no
        candidate (yes/no conditions, the document's own numbers). No clause is named (the
        fetch phase would match each named clause against each of the window's hits) and no
        multiplier applied (the damped ids would be one more filter over the index): the
        window is ordered exactly in Python (``_run_spec``).
        """
        evidence, rest = [], []
        for c in spec.clauses:
            if c.name in spec.evidence and isinstance(c.cond, Text):
                q = self._text_query(None, c.weight, c.cond, stats, "informative")
                common = self._text_query(None, c.weight, c.cond, stats, "common")
                if common:
                    rest.append(common)
            elif isinstance(c.cond, Similar):
                q = _bands(c.weight, nearest[c.name])
            else:
                q = self._scoring(None, c.weight, c.cond, stats)
            if q:
                (evidence if c.name in spec.evidence else rest).append(q)
        if not evidence:
            return None
        query: dict = {"bool": {"should": evidence, "minimum_should_match": 1}}
        if spec.filters:
            query = {
                "bool": {"must": [query], "filter": [self._filter(f, stats) for f in spec.filters]}
            }
        body: dict = {"query": query}
        if rest:
            body["rescore"] = {
                "window_size": spec.window_for(spec.depth(k)),
                "query": {
                    "rescore_query": {"bool": {"should": rest}},
                    "query_weight": 1.0,
                    "rescore_query_weight": 1.0,
                    "score_mode": "total",
                },
            }
        return body

    def _nearest(self, alias: str, wanted: Iterable[tuple], memo: dict) -> None:
        """Fill ``memo[(field, vector, top)]`` with the ``top`` documents nearest ``vector``:
        [(id, (1 + dot) / 2, case clusters)], exact (``flat`` fields), one request for all."""
        wanted = [w for w in dict.fromkeys(wanted) if w not in memo]
        if not wanted:
            return
        searches: list[dict] = []
        for field, vector, top in wanted:
            knn = {"field": field, "query_vector": list(vector), "k": top, "num_candidates": top}
            body: dict = {"knn": knn, "size": top, "track_total_hits": False, **IDS_ONLY}
            if field == "case_vector":  # the industry inference reads the neighbours' clusters
                body["docvalue_fields"] = ["id", "case_clusters"]
            searches += [{"index": alias}, body]
        resp = self._call(
            self.client.msearch,
            searches=searches,
            filter_path="took,responses.took,responses.hits.hits._score,responses.hits.hits.fields,"
            "responses.error,responses.status",
        ).body
        for key, answer in zip(wanted, resp["responses"], strict=True):
            if "error" in answer:
                error = (
                    SearchUnavailable
                    if answer.get("status") in (429, 502, 503, 504)
                    else RuntimeError
                )
                raise error(f"nearest {key[0]}: {answer['error']}")
            memo[key] = [
                (_doc_id(h), h["_score"], h["fields"].get("case_clusters") or [])
                for h in (answer.get("hits") or {}).get("hits") or ()
            ]

    def _similarities(self, alias: str, spec: Spec, memo: dict) -> dict[str, dict[int, float]]:
        """Per similarity clause: {id: (1 + dot) / 2} of its ``top`` nearest, from its floor."""
        similar = [c for c in spec.clauses if isinstance(c.cond, Similar)]
        keys = {c.name: (c.cond.field, c.cond.vector, c.cond.top) for c in similar}
        self._nearest(alias, keys.values(), memo)
        return {
            c.name: {i: s for i, s, _ in memo[keys[c.name]] if s >= c.cond.floor} for c in similar
        }

    def _explain(
        self, alias: str, spec: Spec, stats: dict, ids: list[int], nearest: dict
    ) -> dict[int, dict]:
        """{id: points per clause} of a few documents. Only the text clauses are named (the
        engine's BM25); every other clause is scored here from the hits' doc values
        (``doc_values``: a dense clause named over the whole index cost more than the rest of
        the request), the similarities come from request 1. No stored field is read: the
        reasons' documents are fetched for the final top k only (``_documents``)."""
        named, local, wanted = [], [], {"id"}
        for c in spec.clauses:
            if isinstance(c.cond, Similar):
                continue
            local_scorer = doc_values.scorer(c.cond, spec.index)
            if local_scorer is None:
                q = self._scoring(c.name, c.weight, c.cond, stats)
                if q:
                    named.append(q)
            else:
                wanted |= local_scorer[0]
                local.append((c.name, c.weight, local_scorer[1]))
        query: dict = {"bool": {"filter": [{"ids": {"values": [str(i) for i in ids]}}]}}
        if named:
            query["bool"]["should"] = named
        resp = self._call(
            self.client.search,
            index=alias,
            query=query,
            size=len(ids),
            include_named_queries_score=bool(named),
            stored_fields="_none_",
            docvalue_fields=sorted(wanted),
            track_total_hits=False,
            filter_path="took,hits.hits.fields,hits.hits.matched_queries",
        ).body
        similar = [(c.name, c.weight, nearest[c.name]) for c in spec.clauses if c.name in nearest]
        out = {}
        for h in (resp.get("hits") or {}).get("hits") or ():
            values = h["fields"]
            doc_id = int(values["id"][0])
            points = dict(h.get("matched_queries") or {})
            for name, weight, score in local:
                value = score(values)
                if value:
                    points[name] = weight * value
            for name, weight, near in similar:
                value = near.get(doc_id)
                if value is not None:
                    points[name] = weight * value
            out[doc_id] = points
        return out

    def _documents(self, alias: str, index: str, ids: list[int]) -> dict[int, dict]:
        """The stored fields the reasons read, of the final top k only."""
        if not ids:
            return {}
        resp = self._call(
            self.client.search,
            index=alias,
            query={"ids": {"values": [str(i) for i in ids]}},
            size=len(ids),
            source_includes=SOURCE_FIELDS[index],
            track_total_hits=False,
            filter_path="took,hits.hits._id,hits.hits._source",
        ).body
        return {int(h["_id"]): h.get("_source") or {} for h in resp["hits"]["hits"]}

    def _run_spec(self, spec: Spec, k: int, memo: dict | None = None) -> list[Hit]:
        """The two phases in Elasticsearch, the window's exact order here, then ``finish``.

        ``memo``: nearest documents already fetched for this query (``_nearest``).
        """
        if k <= 0:
            return []
        self._ensure()
        alias = self._alias(spec.index)
        texts: list[Text] = []
        for c in spec.clauses:
            self._collect_text(c.cond, texts)
        stats = self._text_stats(alias, texts)
        nearest = self._similarities(alias, spec, {} if memo is None else memo)
        body = self._first_phase(spec, stats, k, nearest)
        if body is None:
            return []
        depth = spec.depth(k)
        resp = self._call(
            self.client.search,
            index=alias,
            **body,
            size=spec.window_for(depth),
            track_total_hits=False,
            filter_path="took,hits.hits._score,hits.hits.fields",
            **IDS_ONLY,
        ).body
        # The first phase put each similarity in a band; the exact value replaces it here,
        # and the multipliers apply: the same points as the embedded backend's.
        scores = {
            _doc_id(h): h["_score"] or 0.0 for h in (resp.get("hits") or {}).get("hits") or ()
        }
        for c in spec.clauses:
            values = nearest.get(c.name, {})
            for i in scores.keys() & values.keys():
                scores[i] += c.weight * (values[i] - _band(values[i]))
        factor = factors(spec, scores)
        points = {i: score * factor[i] for i, score in scores.items()}
        ranked = sorted(points.items(), key=lambda kv: (-round(kv[1], 6), kv[0]))[:depth]
        if not ranked:
            return []
        explained = self._explain(alias, spec, stats, [i for i, _ in ranked], nearest)
        candidates = [
            Candidate(i, p, factor[i], explained[i], {}) for i, p in ranked if i in explained
        ]
        return finish(spec, candidates, k, lambda ids: self._documents(alias, spec.index, ids))

    # -- queries --------------------------------------------------------------------------
    def match_providers(
        self,
        demand: Mapping,
        k: int = 10,
        exclude: Collection[int] = (),
        damped: Collection[int] = (),
    ) -> list[Hit]:
        memo: dict = {}
        self._ensure()
        alias = self._alias(PROVIDERS)

        def neighbours(vector) -> list[tuple[float, list[str]]]:
            """The providers whose cases lie nearest ``vector``. The matcher compares the same
            vector with both vector fields, so both are fetched now, in one request."""
            vector = tuple(vector)
            keys = [(f, vector, VECTOR_TOP) for f in fields_of(PROVIDERS, "vector")]
            self._nearest(alias, keys, memo)
            # dot_product similarity scores (1 + dot) / 2.
            near = memo[("case_vector", vector, VECTOR_TOP)][:NEIGHBOURS]
            return [(2.0 * s - 1.0, clusters) for _, s, clusters in near]

        spec = provider_spec(demand, self.taxonomy, self.analyzer, neighbours, exclude, damped)
        return self._run_spec(spec, k, memo)

    def match_leads(
        self, provider: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        return self._run_spec(lead_spec(provider, self.taxonomy, self.analyzer, exclude), k)

    def match_people(
        self, need: Mapping, k: int = 10, exclude: Collection[int] = (), pool: str = TALENT
    ) -> list[Hit]:
        spec = talent_spec(need, self.taxonomy, self.analyzer, exclude, pool=pool)
        return self._run_spec(spec, k)

    def match_openings(
        self, profile: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        return self._run_spec(opening_spec(profile, self.taxonomy, self.analyzer, exclude), k)

    def search(self, query: SearchQuery) -> Page:
        plan = search_plan(query, self.analyzer)
        self._ensure()
        alias = self._alias(plan.index)
        texts: list[Text] = []
        for c in plan.clauses:
            self._collect_text(c.cond, texts)
        stats = self._text_stats(alias, texts)
        should = [
            q for q in (self._scoring(c.name, c.weight, c.cond, stats) for c in plan.clauses) if q
        ]
        bool_q: dict = {"filter": [self._filter(All(tuple(plan.base)), stats)]}
        if should:
            bool_q["should"] = should
        body: dict = {
            "query": {"bool": bool_q},
            "from": plan.offset,
            "size": plan.size,
            "track_total_hits": True,
            "track_scores": True,
        }
        if plan.filters:
            body["post_filter"] = self._filter(facet_filter(plan), stats)
        if plan.facets:
            body["aggs"] = {
                name: {
                    "filter": self._filter(facet_filter(plan, exclude=name), stats),
                    "aggs": {"values": {"terms": {"field": fld, "size": 500}}},
                }
                for name, fld in plan.facets.items()
            }
        if plan.sort == "newest" or (plan.sort == "relevance" and not plan.has_text):
            body["sort"] = [{"sort_date": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        elif plan.sort == "budget":
            body["sort"] = [{"budget_sort": {"order": "desc", "missing": "_last"}}, {"id": "desc"}]
        else:
            body["sort"] = [
                {"_score": "desc"},
                {"sort_date": {"order": "desc", "missing": "_last"}},
                {"id": "desc"},
            ]
        resp = self._call(self.client.search, index=alias, source=False, **body).body
        top = resp["hits"].get("max_score") or 1.0
        hits = [
            Hit(
                id=int(h["_id"]),
                score=round((h.get("_score") or 0.0) / top, 6) if plan.has_text else 0.0,
            )
            for h in resp["hits"]["hits"]
        ]
        facets = {}
        for name in plan.facets:
            buckets = (
                resp.get("aggregations", {}).get(name, {}).get("values", {}).get("buckets", [])
            )
            values = []
            for b in buckets:
                code = verified_code(b["key"] in (1, True)) if name == "verified" else str(b["key"])
                values.append(FacetValue(code, b["doc_count"]))
            facets[name] = sorted(values, key=lambda fv: (-fv.count, fv.code))
        return Page(
            hits=hits,
            total=resp["hits"]["total"]["value"],
            page=plan.page,
            per_page=plan.per_page,
            facets=facets,
        )
