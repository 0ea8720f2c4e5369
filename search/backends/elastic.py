"""Elasticsearch backend (official client, 8.x).

Works on a bare server: no scripts, no analysis plugins. Text is segmented in Python
(``search.text``) and indexed as space-joined tokens analysed by the built-in
``whitespace`` analyzer; synonyms are expanded in Python.

The matcher (``search.scoring``) is executed as one search with a ``rescore``:

* ``query`` (first phase): a ``function_score`` around a ``bool`` whose ``must`` is a
  disjunction of the *evidence* clauses (so a hit is a candidate, at no extra cost: no
  separate candidate filter), whose ``should`` holds the other clauses and whose
  ``filter`` the hard filters; one named clause per signal (``_name`` = clause name):
  ``constant_score`` for yes/no signals (boost = points), a ``bool`` of boosted ``term``
  queries for text, with the clause's *informative* terms only (each boost = points ×
  query weight / Σ(weight × idf) over all kept terms, so the BM25 sum is the normalised
  share of the query), and a ``function_score`` with ``field_value_factor`` for the share of
  a demand's services (leads); a ``dis_max`` of boosted ``constant_score`` clauses for
  cluster credit (the best of the document's clusters); a ``knn`` query on a ``flat``
  (exact) ``dense_vector`` field for similarity. ``functions``: the multipliers as
  ``filter`` + ``weight``, ``score_mode=multiply``.
* ``rescore`` (second phase, ``score_mode=total``): over the window, the text clauses'
  *common* terms (named ``<clause>~common``, same boosts) in a ``function_score`` with the
  same multipliers, so a rescored document's score is the full specification's.
* ``include_named_queries_score`` returns each fired clause's points (both phases) → reasons.
  Sorting on anything but the score is not allowed with a rescore, so 2k hits are asked
  for and ties are broken by id in Python.

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

from collections.abc import Collection, Iterable, Mapping

import elastic_transport
from elasticsearch import ApiError, Elasticsearch, helpers

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
from ..scoring import (
    COMMON_SUFFIX,
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
    combine_contributions,
    finish,
    lead_spec,
    multiplier,
    provider_spec,
    text_stats,
)
from ..talent import opening_spec, talent_spec
from ..text import get_analyzer
from ..vectors import NEIGHBOURS

NEIGHBOUR_CANDIDATES = 100  # knn candidates per shard for the industry inference

SOURCE_FIELDS = {
    PROVIDERS: ["id", "kind", "level", "region", "clusters", "services", "cases"],
    DEMANDS: ["id", "cluster", "services", "region", "status"],
    TALENT: ["id", "specialities", "clusters", "region", "availability"],
    EXPERTS: ["id", "specialities", "clusters", "region", "availability"],
    OPENINGS: ["id", "specialities", "clusters", "region", "status"],
}


WRITE_TIMEOUT = 60.0  # seconds; searches use ELASTICSEARCH_TIMEOUT


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

    def _bulk(self, target: str, actions: Iterable[dict], progress=None) -> int:
        count = 0
        errors = []
        for ok, info in helpers.streaming_bulk(
            self.write_client,
            actions,
            index=target,
            chunk_size=500,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            count += 1
            if not ok:
                item = next(iter(info.values()))
                if item.get("status") == 409 or (
                    item.get("status") == 404 and next(iter(info)) == "delete"
                ):
                    continue
                errors.append(item)
            if progress and count % 500 == 0:
                progress(count)
        if errors:
            raise RuntimeError(f"bulk indexing failed for {len(errors)} documents: {errors[:3]}")
        if progress:
            progress(count)
        return count

    def _index_actions(self, index: str, records: Iterable[Mapping], many: bool = False):
        if many:
            docs = build_documents(index, records, self.analyzer, self.taxonomy, self.build_workers)
        else:
            docs = (build_document(index, r, self.analyzer, self.taxonomy) for r in records)
        for doc in docs:
            yield {
                "_op_type": "index",
                "_id": str(doc["id"]),
                "version": doc["version"],
                "version_type": "external_gte",
                "_source": doc,
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
            self._bulk,
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
        name: str, weight: float, cond: Text, stats: dict, part: str = "all"
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
        return {"bool": {"should": should, "_name": name}}

    def _scoring(self, name: str, weight: float, cond, stats: dict) -> dict | None:
        if isinstance(cond, Text):
            return self._text_query(name, weight, cond, stats)
        if isinstance(cond, Best):
            return {
                "dis_max": {
                    "queries": [
                        {"constant_score": {"filter": {"term": {cond.field: c}}, "boost": w}}
                        for c, w in cond.weights
                    ],
                    "tie_breaker": 0.0,
                    "boost": weight,
                    "_name": name,
                }
            }
        if isinstance(cond, Value):
            return {
                "function_score": {
                    "query": {"exists": {"field": cond.field}},
                    "functions": [{"field_value_factor": {"field": cond.field, "factor": weight}}],
                    "boost_mode": "replace",
                    "_name": name,
                }
            }
        if isinstance(cond, Similar):
            return {
                "knn": {
                    "field": cond.field,
                    "query_vector": list(cond.vector),
                    "k": cond.top,
                    "num_candidates": cond.top,
                    "similarity": 2.0 * cond.floor - 1.0,  # on the raw dot product
                    "boost": weight,
                    "_name": name,
                }
            }
        if isinstance(cond, Coverage):
            should = [
                {"constant_score": {"filter": {"term": {cond.field: v}}, "boost": 1.0}}
                for v in cond.values
            ]
            return {
                "function_score": {
                    "query": {"bool": {"should": should, "minimum_should_match": 1}},
                    "functions": [{"field_value_factor": {"field": cond.norm_field, "missing": 0}}],
                    "boost_mode": "multiply",
                    "boost": weight,
                    "_name": name,
                }
            }
        return {
            "constant_score": {"filter": self._filter(cond, stats), "boost": weight, "_name": name}
        }

    def _spec_query(self, spec: Spec, stats: dict, k: int) -> dict | None:
        """Search body (query + rescore) for the two phases of ``spec``; None: no candidate."""
        evidence, should, common = [], [], []
        for c in spec.clauses:
            if isinstance(c.cond, Text):
                q = self._text_query(c.name, c.weight, c.cond, stats, "informative")
                rest = self._text_query(c.name + COMMON_SUFFIX, c.weight, c.cond, stats, "common")
                if rest:
                    common.append(rest)
            else:
                q = self._scoring(c.name, c.weight, c.cond, stats)
            if q:
                (evidence if c.name in spec.evidence else should).append(q)
        if not evidence:
            return None
        bool_q: dict = {"must": [{"bool": {"should": evidence, "minimum_should_match": 1}}]}
        if should:
            bool_q["should"] = should
        if spec.filters:
            bool_q["filter"] = [self._filter(f, stats) for f in spec.filters]
        functions = [{"weight": 1.0}] + [
            {"filter": self._filter(m.cond, stats), "weight": m.factor} for m in spec.multipliers
        ]

        def multiplied(query: dict) -> dict:
            return {
                "function_score": {
                    "query": query,
                    "functions": functions,
                    "score_mode": "multiply",
                    "boost_mode": "multiply",
                }
            }

        body: dict = {"query": multiplied({"bool": bool_q})}
        if common:
            # Second phase: the window's documents get the common terms' share, times the
            # same multipliers, added to their first-phase score.
            body["rescore"] = {
                "window_size": spec.window_for(spec.depth(k)),
                "query": {
                    "rescore_query": multiplied({"bool": {"should": common}}),
                    "query_weight": 1.0,
                    "rescore_query_weight": 1.0,
                    "score_mode": "total",
                },
            }
        return body

    def _run_spec(self, spec: Spec, k: int) -> list[Hit]:
        if k <= 0:
            return []
        self._ensure()
        alias = self._alias(spec.index)
        texts: list[Text] = []
        for c in spec.clauses:
            self._collect_text(c.cond, texts)
        stats = self._text_stats(alias, texts)
        body = self._spec_query(spec, stats, k)
        if body is None:
            return []
        # Sorting on anything but the score is not allowed with a rescore: ask for k more
        # hits than needed and break ties by id here.
        depth = spec.depth(k)
        resp = self._call(
            self.client.search,
            index=alias,
            **body,
            size=depth + k,
            track_scores=True,
            include_named_queries_score=True,
            source_includes=SOURCE_FIELDS[spec.index],
            track_total_hits=False,
        ).body
        ranked = sorted(
            resp["hits"]["hits"], key=lambda h: (-round(h["_score"] or 0.0, 6), int(h["_id"]))
        )
        candidates = []
        for h in ranked[:depth]:
            contrib = h.get("matched_queries") or {}
            if isinstance(contrib, list):
                contrib = dict.fromkeys(contrib, 0.0)
            doc_id = int(h["_id"])
            candidates.append(
                Candidate(
                    doc_id,
                    h["_score"] or 0.0,
                    multiplier(spec, doc_id),
                    combine_contributions(contrib),
                    h.get("_source") or {},
                )
            )
        return finish(spec, candidates, k)

    # -- queries --------------------------------------------------------------------------
    def match_providers(
        self,
        demand: Mapping,
        k: int = 10,
        exclude: Collection[int] = (),
        damped: Collection[int] = (),
    ) -> list[Hit]:
        spec = provider_spec(
            demand, self.taxonomy, self.analyzer, self._neighbours, exclude, damped
        )
        return self._run_spec(spec, k)

    def _neighbours(self, vector) -> list[tuple[float, list[str]]]:
        """The providers whose cases lie nearest ``vector`` (exact knn, one request)."""
        self._ensure()
        resp = self._call(
            self.client.search,
            index=self._alias(PROVIDERS),
            knn={
                "field": "case_vector",
                "query_vector": list(vector),
                "k": NEIGHBOURS,
                "num_candidates": NEIGHBOUR_CANDIDATES,
            },
            size=NEIGHBOURS,
            source_includes=["case_clusters"],
            track_total_hits=False,
        ).body
        # dot_product similarity scores (1 + dot) / 2.
        return [
            (2.0 * h["_score"] - 1.0, (h.get("_source") or {}).get("case_clusters") or [])
            for h in resp["hits"]["hits"]
        ]

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
