"""Embedded search backend: in process, no server.

Storage: one SQLite file (``EMBEDDED_SEARCH_PATH``, ``:memory:`` for tests). Each logical
index (``demands``, ``providers``) is a table of JSON documents behind a row of the
``aliases`` table, so a reindex builds a new table and swaps the alias in one transaction.
Rows carry the record's version; a write with an older version than the stored one (or
than a delete's tombstone) is ignored — the same rule as Elasticsearch's
``version_type=external_gte``.

Search runs on an in-memory inverted index (keyword postings, numeric columns, text
postings with term frequencies) rebuilt from the table on first use and kept current
incrementally: every write bumps a global sequence number stored with the rows, and each
call first compares the file's sequence/epoch with the cache's, loading only newer rows
(or everything after a reindex). Several processes can therefore share one file.

Text relevance is BM25 with Lucene's exact formula (including its one-byte length
encoding), so scores follow the Elasticsearch backend closely. Matching evaluates the
``search.scoring`` specification in the same two phases as Elasticsearch's query + rescore
(informative terms for every candidate, the common terms' share for the window only): the
first phase on numpy arrays by document position (``positions``), the window on its ids.
Faceted search evaluates its conditions with set algebra on the inverted index.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import json
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping

import numpy as np

from .. import (
    INDICES,
    PROVIDERS,
    TALENT,
    FacetValue,
    Hit,
    IndexStatus,
    Page,
    SearchBackend,
    SearchQuery,
    SearchUnavailable,
)
from ..documents import build_document, build_documents
from ..query import SearchPlan, facet_filter, search_plan, verified_code
from ..schema import VERSION, fields_of
from ..scoring import (
    BM25_B,
    BM25_K1,
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
    lucene_length,
    provider_spec,
    text_stats,
)
from ..talent import opening_spec, talent_spec
from ..text import get_analyzer
from ..vectors import NEIGHBOURS
from .positions import Positions

_K1_PLUS_1 = BM25_K1 + 1


class _Index:
    """In-memory inverted index over one logical index's documents."""

    def __init__(self, name: str):
        self.name = name
        self.text_fields = fields_of(name, "text")
        self.docs: dict[int, dict] = {}
        self.kw: dict[str, dict[object, set[int]]] = {
            f: {} for f in fields_of(name, "keyword", "boolean")
        }
        self.num: dict[str, dict[int, float]] = {f: {} for f in fields_of(name, "long", "double")}
        self.vectors: dict[str, dict[int, list]] = {f: {} for f in fields_of(name, "vector")}
        self.postings: dict[str, dict[str, dict[int, int]]] = {f: {} for f in self.text_fields}
        self.lengths: dict[str, dict[int, int]] = {f: {} for f in self.text_fields}
        self.sum_len: dict[str, int] = {f: 0 for f in self.text_fields}
        self._norm_cache: dict = {}  # derived data (BM25 norms, sorted columns, matrices)

    def add(self, doc: dict) -> None:
        doc_id = int(doc["id"])
        if doc_id in self.docs:
            self.remove(doc_id)
        self.docs[doc_id] = doc
        for f in self.kw:
            value = doc.get(f)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if v is None:
                    continue
                self.kw[f].setdefault(v, set()).add(doc_id)
        for f in self.num:
            v = doc.get(f)
            if v is not None:
                self.num[f][doc_id] = v
        for f in self.vectors:
            v = doc.get(f)
            if v is not None:
                self.vectors[f][doc_id] = v
        for f in self.text_fields:
            tokens = (doc.get(f) or "").split()
            if not tokens:
                continue
            self.lengths[f][doc_id] = len(tokens)
            self.sum_len[f] += len(tokens)
            post = self.postings[f]
            counts: dict[str, int] = {}
            for t in tokens:
                counts[t] = counts.get(t, 0) + 1
            for t, c in counts.items():
                post.setdefault(t, {})[doc_id] = c
        self._norm_cache.clear()

    def remove(self, doc_id: int) -> None:
        doc = self.docs.pop(doc_id, None)
        if doc is None:
            return
        for f in self.kw:
            value = doc.get(f)
            values = value if isinstance(value, list) else [value]
            for v in values:
                ids = self.kw[f].get(v)
                if ids is not None:
                    ids.discard(doc_id)
                    if not ids:
                        del self.kw[f][v]
        for f in self.num:
            self.num[f].pop(doc_id, None)
        for f in self.vectors:
            self.vectors[f].pop(doc_id, None)
        for f in self.text_fields:
            length = self.lengths[f].pop(doc_id, None)
            if length is None:
                continue
            self.sum_len[f] -= length
            post = self.postings[f]
            for t in set((doc.get(f) or "").split()):
                p = post.get(t)
                if p is not None:
                    p.pop(doc_id, None)
                    if not p:
                        del post[t]
        self._norm_cache.clear()

    # -- conditions ---------------------------------------------------------------------
    def match(self, cond, text_terms: dict) -> set[int]:
        if isinstance(cond, Term):
            return self._term(cond.field, cond.value)
        if isinstance(cond, Terms):
            out: set[int] = set()
            for v in cond.values:
                out |= self._term(cond.field, v)
            return out
        if isinstance(cond, Range):
            values, ids = self._sorted(cond.field)
            lo, hi = 0, len(values)
            if cond.gt is not None:
                lo = max(lo, bisect.bisect_right(values, cond.gt))
            if cond.gte is not None:
                lo = max(lo, bisect.bisect_left(values, cond.gte))
            if cond.lt is not None:
                hi = min(hi, bisect.bisect_left(values, cond.lt))
            if cond.lte is not None:
                hi = min(hi, bisect.bisect_right(values, cond.lte))
            return set(ids[lo:hi]) if lo < hi else set()
        if isinstance(cond, All):
            if not cond.conds:
                return set(self.docs)
            sets = sorted(
                (self.match(c, text_terms) for c in cond.conds if not isinstance(c, Not)), key=len
            )
            out = set(sets[0]) if sets else set(self.docs)
            for s in sets[1:]:
                out &= s
            for c in cond.conds:
                if isinstance(c, Not):
                    out -= self.match(c.cond, text_terms)
            return out
        if isinstance(cond, Any):
            out = set()
            for c in cond.conds:
                out |= self.match(c, text_terms)
            return out
        if isinstance(cond, Not):
            return set(self.docs) - self.match(cond.cond, text_terms)
        if isinstance(cond, Text):
            return self.text_matches(cond, text_terms)
        if isinstance(cond, Coverage):
            return self.match(Terms(cond.field, cond.values), text_terms)
        if isinstance(cond, Best):
            return self.match(Terms(cond.field, tuple(c for c, _ in cond.weights)), text_terms)
        if isinstance(cond, Similar):
            return set(self.similar(cond))
        if isinstance(cond, Value):
            return set(self.num[cond.field])
        raise TypeError(f"unknown condition {cond!r}")

    def _sorted(self, field: str) -> tuple[list, list]:
        """A numeric column sorted by value (cached until the next write)."""
        key = ("sorted", field)
        cached = self._norm_cache.get(key)
        if cached is None:
            col = {i: i for i in self.docs} if field == "id" else self.num.get(field, {})
            pairs = sorted((v, i) for i, v in col.items() if v is not None)
            cached = ([v for v, _ in pairs], [i for _, i in pairs])
            self._norm_cache[key] = cached
        return cached

    def _term(self, field: str, value) -> set[int]:
        if field == "id":
            return {int(value)} if int(value) in self.docs else set()
        if field in self.kw:
            return set(self.kw[field].get(value, ()))
        if field in self.postings:
            return set(self.postings[field].get(value, ()))
        if field in self.num:
            return {i for i, v in self.num[field].items() if v == value}
        return {i for i, d in self.docs.items() if d.get(field) == value}

    # -- scores ---------------------------------------------------------------------------
    def text_weights(self, cond: Text, cache: dict) -> tuple[dict, float]:
        weights, total, _ = self.text_stats(cond, cache)
        return weights, total

    def text_stats(self, cond: Text, cache: dict) -> tuple[dict, float, frozenset]:
        key = (cond.field, cond.terms)
        if key not in cache:
            post = self.postings[cond.field]
            dfs = {t: len(post[t]) for t, _ in cond.terms if t in post}
            cache[key] = text_stats(cond.terms, dfs, len(self.lengths[cond.field]))
        return cache[key]

    def _part(self, cond: Text, cache: dict, part: str) -> tuple[dict, float]:
        weights, total, informative = self.text_stats(cond, cache)
        if part == "informative":
            weights = {t: w for t, w in weights.items() if t in informative}
        elif part == "common":
            weights = {t: w for t, w in weights.items() if t not in informative}
        return weights, total

    def text_matches(self, cond: Text, cache: dict, part: str = "all") -> set[int]:
        """Documents holding at least one of the clause's kept terms (or one part's)."""
        weights, _ = self._part(cond, cache, part)
        out: set[int] = set()
        post = self.postings[cond.field]
        for t in weights:
            out.update(post.get(t, ()))
        return out

    def _norms(self, field: str) -> dict[int, float]:
        norms = self._norm_cache.get(field)
        if norms is None:
            lengths = self.lengths[field]
            avgdl = (self.sum_len[field] / len(lengths)) if lengths else 1.0
            norms = {
                i: BM25_K1 * (1 - BM25_B + BM25_B * lucene_length(n) / avgdl)
                for i, n in lengths.items()
            }
            self._norm_cache[field] = norms
        return norms

    def text_scores(self, cond: Text, cache: dict, part: str = "all") -> dict[int, float]:
        """Normalised BM25 per document: all kept terms or one part."""
        weights, total = self._part(cond, cache, part)
        if total <= 0 or not weights:
            return {}
        post = self.postings[cond.field]
        norms = self._norms(cond.field)
        acc: dict[int, float] = {}
        for t, w in weights.items():
            p = post.get(t)
            if not p:
                continue
            for i, tf in p.items():
                acc[i] = acc.get(i, 0.0) + w * tf * _K1_PLUS_1 / (tf + norms[i])
        return {i: v / total for i, v in acc.items()}

    def _matrix(self, field: str) -> tuple[list[int], np.ndarray]:
        """(ids, unit vectors as rows) of a vector field (cached until the next write)."""
        key = ("matrix", field)
        cached = self._norm_cache.get(key)
        if cached is None:
            col = self.vectors[field]
            ids = sorted(col)
            rows = np.asarray([col[i] for i in ids], dtype=np.float32)
            cached = self._norm_cache[key] = (ids, rows)
        return cached

    def _nearest_rows(self, field: str, vector, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows of ``_matrix(field)``, their dot products) of the ``k`` nearest ``vector``."""
        ids, rows = self._matrix(field)
        if not ids:  # no document has this vector
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        # einsum, not BLAS: a matrix-vector product this small gains nothing from BLAS's
        # threads, which on a busy machine wait for each other (×10–50 slower).
        sims = np.einsum("ij,j->i", rows, np.asarray(vector, dtype=np.float32))
        top = min(k, len(ids))
        nearest = np.argpartition(-sims, top - 1)[:top] if top < len(ids) else np.arange(len(ids))
        return nearest, sims[nearest]

    def _nearest(self, field: str, vector, k: int) -> list[tuple[int, float]]:
        """(id, dot product) of the ``k`` documents whose ``field`` lies nearest ``vector``."""
        ids = self._matrix(field)[0]
        rows, sims = self._nearest_rows(field, vector, k)
        return [(ids[j], s) for j, s in zip(rows.tolist(), sims.tolist(), strict=True)]

    def positions(self) -> Positions:
        """The index as arrays by document position (cached until the next write)."""
        cached = self._norm_cache.get("positions")
        if cached is None:
            cached = self._norm_cache["positions"] = Positions(self)
        return cached

    def similar(self, cond: Similar) -> dict[int, float]:
        """(1 + dot) / 2 for the ``cond.top`` documents nearest the query vector, from the
        clause's floor up (exact, as Elasticsearch's ``knn`` on a ``flat`` field, with float32
        dot products, so both agree to the last digits).
        """
        values = (
            (i, (1.0 + sim) / 2.0) for i, sim in self._nearest(cond.field, cond.vector, cond.top)
        )
        return {i: v for i, v in values if v >= cond.floor}

    def neighbours(self, vector, k: int = NEIGHBOURS) -> list[tuple[float, list[str]]]:
        """The ``k`` providers whose cases lie nearest ``vector``: (similarity, case clusters)."""
        return [
            (sim, self.docs[i].get("case_clusters") or [])
            for i, sim in self._nearest("case_vector", vector, k)
        ]

    def clause_scores(self, cond, cache: dict) -> dict[int, float] | set[int]:
        """Scores in 0..1 per document (text, coverage…) or the set of matching documents."""
        if isinstance(cond, Text):
            return self.text_scores(cond, cache)
        if isinstance(cond, Similar):
            return self.similar(cond)
        if isinstance(cond, Value):
            return {i: v for i, v in self.num[cond.field].items() if v > 0}
        if isinstance(cond, Best):
            best: dict[int, float] = {}
            for code, weight in cond.weights:
                for i in self._term(cond.field, code):
                    if weight > best.get(i, 0.0):
                        best[i] = weight
            return best
        if isinstance(cond, Coverage):
            acc: dict[int, float] = {}
            for v in cond.values:
                for i in self._term(cond.field, v):
                    acc[i] = acc.get(i, 0.0) + 1.0
            return {i: c * (self.docs[i].get(cond.norm_field) or 0.0) for i, c in acc.items()}
        return self.match(cond, cache)


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, path: str, taxonomy: Mapping, prefix: str = ""):
        self.path = path or ":memory:"
        self.taxonomy = taxonomy
        self.analyzer = get_analyzer(taxonomy)
        self.prefix = prefix
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._cache: dict[str, _Index] = {}
        self._seq = -1
        self._epoch = -1
        self._tables: dict[str, str] = {}
        self.build_workers: int | None = None  # reindex: document-building processes (None: cores)

    @classmethod
    def from_settings(cls, settings: Mapping, taxonomy: Mapping) -> EmbeddedBackend:
        return cls(
            settings.get("EMBEDDED_SEARCH_PATH") or ":memory:",
            taxonomy,
            settings.get("SEARCH_INDEX_PREFIX") or "",
        )

    # -- storage --------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path != ":memory:":
                directory = os.path.dirname(os.path.abspath(self.path))
                os.makedirs(directory, exist_ok=True)
            try:
                conn = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:  # pragma: no cover - unusable path
                raise SearchUnavailable(f"cannot open {self.path}: {exc}") from exc
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER)")
            conn.execute("CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, tbl TEXT)")
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('seq', 0), ('epoch', 0), ('tables', 0)"
            )
            self._conn = conn
        return self._conn

    def _alias(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def _new_table(self, conn: sqlite3.Connection, name: str) -> str:
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'tables'")
        n = conn.execute("SELECT value FROM meta WHERE key = 'tables'").fetchone()[0]
        table = f"{self._alias(name)}-v{VERSION[name]}-{time.strftime('%Y%m%d%H%M%S')}-{n}"
        conn.execute(
            f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, '
            "deleted INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, body TEXT)"
        )
        conn.execute(f'CREATE INDEX "{table}-seq" ON "{table}" (seq)')
        return table

    def _bump(self, conn: sqlite3.Connection, key: str) -> int:
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = ?", (key,))
        return conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def ensure_indices(self) -> None:
        with self._lock:
            conn = self._db()
            with _immediate(conn):
                for name in INDICES:
                    row = conn.execute(
                        "SELECT tbl FROM aliases WHERE alias = ?", (self._alias(name),)
                    ).fetchone()
                    if row is None:
                        table = self._new_table(conn, name)
                        conn.execute(
                            "INSERT INTO aliases VALUES (?, ?)", (self._alias(name), table)
                        )
                        self._bump(conn, "epoch")

    def _sync(self) -> None:
        """Bring the in-memory cache up to date with the file."""
        conn = self._db()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("epoch") != self._epoch:
            tables = dict(conn.execute("SELECT alias, tbl FROM aliases").fetchall())
            if any(self._alias(n) not in tables for n in INDICES):
                self.ensure_indices()
                return self._sync()
            self._tables = {n: tables[self._alias(n)] for n in INDICES}
            self._cache = {n: _Index(n) for n in INDICES}
            seq = meta["seq"]
            for n in INDICES:
                for (body,) in conn.execute(
                    f'SELECT body FROM "{self._tables[n]}" WHERE deleted = 0 AND seq <= ?', (seq,)
                ):
                    self._cache[n].add(json.loads(body))
            self._epoch, self._seq = meta["epoch"], seq
        elif meta.get("seq") != self._seq:
            seq = meta["seq"]
            for n in INDICES:
                rows = conn.execute(
                    f'SELECT id, deleted, body FROM "{self._tables[n]}" '
                    "WHERE seq > ? AND seq <= ? ORDER BY seq",
                    (self._seq, seq),
                )
                for doc_id, deleted, body in rows:
                    if deleted:
                        self._cache[n].remove(doc_id)
                    else:
                        self._cache[n].add(json.loads(body))
            self._seq = seq

    def _write(self, index: str, rows: list[tuple[int, int, str | None]]) -> None:
        if index not in INDICES:
            raise ValueError(f"unknown index {index!r}")
        with self._lock:
            self._sync()
            conn = self._db()
            with _immediate(conn):
                table = conn.execute(
                    "SELECT tbl FROM aliases WHERE alias = ?", (self._alias(index),)
                ).fetchone()[0]
                seq = self._bump(conn, "seq")
                for doc_id, version, body in rows:
                    conn.execute(
                        f'INSERT INTO "{table}" (id, version, deleted, seq, body) VALUES (?, ?, ?, '
                        "?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, "
                        "deleted = excluded.deleted, seq = excluded.seq, body = excluded.body "
                        f'WHERE excluded.version >= "{table}".version',
                        (doc_id, version, 1 if body is None else 0, seq, body),
                    )
            self._sync()

    def index(self, index: str, records: Iterable[Mapping]) -> None:
        rows = []
        for record in records:
            doc = build_document(index, record, self.analyzer, self.taxonomy)
            rows.append((doc["id"], doc["version"], json.dumps(doc, ensure_ascii=False)))
        if rows:
            self._write(index, rows)

    def delete(self, index: str, ids_with_versions: Iterable[tuple[int, int]]) -> None:
        rows = [(int(i), int(v), None) for i, v in ids_with_versions]
        if rows:
            self._write(index, rows)

    def reindex(self, index: str, records: Iterable[Mapping], progress=None) -> int:
        if index not in INDICES:
            raise ValueError(f"unknown index {index!r}")
        with self._lock:
            self._sync()
            conn = self._db()
            with _immediate(conn):
                table = self._new_table(conn, index)
            count = 0
            batch: list = []

            def flush():
                if batch:
                    with _immediate(conn):
                        conn.executemany(
                            f'INSERT INTO "{table}" (id, version, deleted, seq, body) VALUES '
                            "(?, ?, 0, 0, ?) "
                            "ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = "
                            "excluded.body "
                            f'WHERE excluded.version >= "{table}".version',
                            batch,
                        )
                    batch.clear()

            try:
                for doc in build_documents(
                    index, records, self.analyzer, self.taxonomy, self.build_workers
                ):
                    batch.append((doc["id"], doc["version"], json.dumps(doc, ensure_ascii=False)))
                    count += 1
                    if len(batch) >= 500:
                        flush()
                        if progress:
                            progress(count)
                flush()
            except BaseException:
                conn.execute(f'DROP TABLE IF EXISTS "{table}"')
                raise
            with _immediate(conn):
                old = conn.execute(
                    "SELECT tbl FROM aliases WHERE alias = ?", (self._alias(index),)
                ).fetchone()
                conn.execute(
                    "INSERT OR REPLACE INTO aliases VALUES (?, ?)", (self._alias(index), table)
                )
                if old and old[0] != table:
                    conn.execute(f'DROP TABLE IF EXISTS "{old[0]}"')
                self._bump(conn, "epoch")
            if progress:
                progress(count)
            self._sync()
            return count

    def status(self) -> list[IndexStatus]:
        with self._lock:
            self._sync()
            conn = self._db()
            out = []
            for name in INDICES:
                table = self._tables[name]
                n = conn.execute(f'SELECT COUNT(*) FROM "{table}" WHERE deleted = 0').fetchone()[0]
                out.append(
                    IndexStatus(index=name, alias=self._alias(name), concrete=[table], documents=n)
                )
            return out

    def refresh(self) -> None:
        with self._lock:
            self._sync()

    def drop_all(self) -> None:
        with self._lock:
            conn = self._db()
            with _immediate(conn):
                rows = conn.execute("SELECT alias, tbl FROM aliases").fetchall()
                for alias, table in rows:
                    if alias.startswith(self.prefix):
                        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
                        conn.execute("DELETE FROM aliases WHERE alias = ?", (alias,))
                self._bump(conn, "epoch")
            self._epoch = -1

    def check_health(self, timeout: float) -> None:
        """The file opens and holds its alias table (a local file: no network to wait for)."""
        try:
            with self._lock:
                self._db().execute("SELECT COUNT(*) FROM aliases").fetchone()
        except (sqlite3.Error, OSError) as exc:
            raise SearchUnavailable(f"embedded index {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def snapshot(self, target: str) -> Iterator[None]:
        """Copy the index file to ``target`` (SQLite's online backup) and hold writes back
        until the block ends (writers wait, up to their busy timeout).

        Whatever the caller copies inside the block (the database with its outbox) is then at
        least as new as this copy, so delivering that outbox after a restore brings the index
        exactly up to date.
        """
        self.ensure_indices()
        lock = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            lock.execute("BEGIN IMMEDIATE")
            _copy_database(self.path, target)
            yield
        finally:
            lock.close()  # ends the transaction: writers go on

    def restore(self, source: str) -> None:
        """Replace the index with a copy made by ``snapshot``; every process reloads it."""
        with self._lock:
            conn = self._db()
            epoch = conn.execute("SELECT value FROM meta WHERE key = 'epoch'").fetchone()[0]
            _copy_database(source, conn)
            # A new epoch, above both the copy's and the replaced file's, makes every process
            # that has the index in memory load it again.
            conn.execute("UPDATE meta SET value = MAX(value, ?) + 1 WHERE key = 'epoch'", (epoch,))
            self._epoch = -1

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._epoch = -1

    # -- queries --------------------------------------------------------------------------
    def search(self, query: SearchQuery) -> Page:
        plan = search_plan(query, self.analyzer)
        with self._lock:
            self._sync()
            idx = self._cache[plan.index]
            return _run_search(idx, plan)

    def match_providers(
        self,
        demand: Mapping,
        k: int = 10,
        exclude: Collection[int] = (),
        damped: Collection[int] = (),
    ) -> list[Hit]:
        with self._lock:
            self._sync()
            idx = self._cache[PROVIDERS]
            spec = provider_spec(
                demand, self.taxonomy, self.analyzer, idx.neighbours, exclude, damped
            )
            return run_spec(idx, spec, k)

    def match_leads(
        self, provider: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        return self._run(lead_spec(provider, self.taxonomy, self.analyzer, exclude), k)

    def match_people(
        self, need: Mapping, k: int = 10, exclude: Collection[int] = (), pool: str = TALENT
    ) -> list[Hit]:
        return self._run(talent_spec(need, self.taxonomy, self.analyzer, exclude, pool=pool), k)

    def match_openings(
        self, profile: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        return self._run(opening_spec(profile, self.taxonomy, self.analyzer, exclude), k)

    def _run(self, spec: Spec, k: int) -> list[Hit]:
        with self._lock:
            self._sync()
            return run_spec(self._cache[spec.index], spec, k)


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction holding SQLite's write lock from its start (other writers wait),
    committed when the block ends and rolled back when it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _copy_database(source: str | sqlite3.Connection, target: str | sqlite3.Connection) -> None:
    """A consistent copy with SQLite's online backup API (paths or open connections)."""
    opened: list[sqlite3.Connection] = []

    def connection(where: str | sqlite3.Connection) -> sqlite3.Connection:
        if isinstance(where, sqlite3.Connection):
            return where
        opened.append(sqlite3.connect(where))
        return opened[-1]

    try:
        connection(source).backup(connection(target))
    finally:
        for conn in opened:
            conn.close()


def _best(ids: np.ndarray, scores: np.ndarray, n: int) -> list[tuple[int, float]]:
    """The ``n`` best (id, score) pairs, by score rounded to 6 decimals, then id.

    numpy first drops what cannot make it (below the n-th score by more than rounding can
    move it), so the exact, slower Python ordering only sees the few that might.
    """
    if len(scores) > 4 * n:
        cut = np.partition(scores, len(scores) - n)[len(scores) - n] - 1e-6
        keep = scores >= cut
        ids, scores = ids[keep], scores[keep]
    pairs = zip(ids.tolist(), scores.tolist(), strict=True)
    return heapq.nsmallest(n, pairs, key=lambda kv: (-round(kv[1], 6), kv[0]))


def run_spec(idx: _Index, spec: Spec, k: int) -> list[Hit]:
    """The two phases of ``spec`` (see ``search.scoring``).

    The first phase scores every candidate with arrays by document position
    (``positions.Positions``); the second phase and the reasons work on the window's few ids.
    """
    if k <= 0:
        return []
    cache: dict = {}
    at = idx.positions()
    candidates = np.zeros(at.n, dtype=bool)
    for clause in spec.clauses:
        if clause.name in spec.evidence:
            if isinstance(clause.cond, Text):
                candidates |= at.text_mask(clause.cond, cache, "informative")
            else:
                candidates |= at.mask(clause.cond, cache)
    for f in spec.filters:
        candidates &= at.mask(f, cache)
    if not candidates.any():
        return []
    # First phase: the evidence clauses, text with its informative terms, pick the window.
    points = np.zeros(at.n)
    rest = np.zeros(at.n)  # the other clauses: the second phase adds them for the window
    fired: list[tuple[str, float, np.ndarray | None, np.ndarray | None]] = []
    for clause in spec.clauses:
        if isinstance(clause.cond, Text):
            part = "informative" if clause.name in spec.evidence else "all"
            mask, values = None, at.bm25(clause.cond, cache, part)
        else:
            mask, values = at.scores(clause.cond, cache)
        w = clause.weight
        into = points if clause.name in spec.evidence else rest
        if values is None:
            into[mask] += w
        else:
            into += w * values
        fired.append((clause.name, w, mask, values))
    factor = np.ones(at.n)
    for m in spec.multipliers:
        factor[at.mask(m.cond, cache)] *= m.factor
    depth = spec.depth(k)
    window = _best(at.ids[candidates], points[candidates], spec.window_for(depth))
    # Second phase: the window gets the evidence text clauses' common terms and the other
    # clauses, then the multipliers.
    window_ids = np.fromiter((i for i, _ in window), dtype=np.int64, count=len(window))
    where = at.positions(window_ids.tolist())
    final = np.fromiter((p for _, p in window), dtype=np.float64, count=len(window))
    final += rest[where]
    for clause in spec.clauses:
        if isinstance(clause.cond, Text) and clause.name in spec.evidence:
            values = at.bm25(clause.cond, cache, "common")
            final += clause.weight * values[where]
            fired.append((clause.name, clause.weight, None, values))
    final *= factor[where]
    ranked = _best(window_ids, final, depth)
    candidates = []
    for i, p in ranked:
        at_i = at.pos[i]
        contrib: dict[str, float] = {}
        for name, w, mask, values in fired:
            if mask is not None:
                if mask[at_i]:
                    contrib[name] = contrib.get(name, 0.0) + w
            elif values[at_i] > 0:
                contrib[name] = contrib.get(name, 0.0) + w * float(values[at_i])
        candidates.append(
            Candidate(i, p, float(factor[at_i]), combine_contributions(contrib), idx.docs[i])
        )
    return finish(spec, candidates, k)


def _run_search(idx: _Index, plan: SearchPlan) -> Page:
    cache: dict = {}
    base = idx.match(All(tuple(plan.base)), cache)
    hits_set = base & idx.match(facet_filter(plan), cache)
    facets = {}
    for name, fld in plan.facets.items():
        ids = base & idx.match(facet_filter(plan, exclude=name), cache)
        counts: dict[str, int] = {}
        for i in ids:
            value = idx.docs[i].get(fld)
            values = value if isinstance(value, list) else [value]
            for v in dict.fromkeys(values):
                if v is None:
                    continue
                code = verified_code(v) if name == "verified" else str(v)
                counts[code] = counts.get(code, 0) + 1
        facets[name] = [
            FacetValue(c, n) for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    scores = dict.fromkeys(hits_set, 0.0)
    for clause in plan.clauses:
        values = idx.clause_scores(clause.cond, cache)
        if isinstance(values, set):
            values = dict.fromkeys(values, 1.0)
        for i, s in values.items():
            if i in scores:
                scores[i] += clause.weight * s
    docs = idx.docs

    def date_key(i):
        return docs[i].get("sort_date") or ""

    if plan.sort == "newest" or (plan.sort == "relevance" and not plan.has_text):
        order = sorted(hits_set, key=lambda i: (date_key(i), i), reverse=True)
    elif plan.sort == "budget":
        order = sorted(
            hits_set,
            key=lambda i: (
                docs[i].get("budget_sort") is not None,
                docs[i].get("budget_sort") or 0,
                i,
            ),
            reverse=True,
        )
    else:
        order = sorted(hits_set, key=lambda i: (round(scores[i], 6), date_key(i), i), reverse=True)
    page_ids = order[plan.offset : plan.offset + plan.size]
    top = max(scores.values(), default=0.0) or 1.0
    hits = [Hit(id=i, score=round(scores[i] / top, 6) if plan.has_text else 0.0) for i in page_ids]
    return Page(
        hits=hits, total=len(hits_set), page=plan.page, per_page=plan.per_page, facets=facets
    )
