"""Benchmarks on synthetic providers and demands, one module per benchmark.

For each backend and size (providers; as many demands):

* ``indexing``: ``backend.index`` in batches of 500 (documents/s) and ``backend.reindex`` of
  the full set (seconds and documents/s);
* ``latency``: p50/p95/p99 over random queries after a warm-up: demand → providers
  (``match_providers(record, 10)``), provider → leads (``match_leads(record, 10)``) and a
  faceted demand search (text + filters + facets cluster/service/region), against the raw
  engine doing the same work without the search library (Elasticsearch: the exact HTTP
  requests the backend sent, replayed over one keep-alive connection with the standard
  library; embedded: the in-memory evaluation of an already-built query);
* ``http_path``: once per backend, ``GET /api/v1/demands/{id}/matches`` through the Flask test
  client on a database holding the same records (embedded at 10k, Elasticsearch at 100k), to
  show the web layer's share.

``synthetic`` makes the records, ``database`` writes them as rows, ``report`` writes
docs/benchmarks.md, ``cli`` runs it all.

    python -m scripts.bench                               # everything, writes docs/benchmarks.md
    python -m scripts.bench --quick --backend embedded --no-write
    python -m scripts.bench --backend elasticsearch --sizes 1000,10000 --queries 100

Elasticsearch runs when ``ELASTICSEARCH_URL`` or ``--elasticsearch-url`` is given; indices use
a unique prefix and are deleted afterwards.
"""
