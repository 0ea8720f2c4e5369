"""Targets, tables and docs/benchmarks.md from a run's results."""

from __future__ import annotations

from pathlib import Path

from .common import BATCH, BENCH_DOC, INDEX_SAMPLE, SEED

TARGETS = (
    # (key, description)
    ("es_match_p95", "Elasticsearch match p95 ≤ 50 ms at 100k providers"),
    ("es_overhead", "Elasticsearch app overhead < 1.5× raw (match, p50)"),
    ("embedded_match_p95", "embedded match p95 ≤ 50 ms at 10k providers"),
    ("reindex_100k", "reindex of 100k documents ≤ 60 s"),
)


def _find(results: list[dict], backend: str, size: int | None = None) -> dict | None:
    found = [r for r in results if r["backend"] == backend and (size is None or r["size"] == size)]
    return max(found, key=lambda r: r["size"]) if found else None


def targets(results: list[dict]) -> list[dict]:
    out = []
    es100 = _find(results, "elasticsearch", 100_000)
    emb10 = _find(results, "embedded", 10_000)
    for key, text in TARGETS:
        value, ok, note = None, None, ""
        if key == "es_match_p95" and es100:
            value = es100["latency"]["match"]["app"]["p95"]
            ok, note = value <= 50, f"p95 {value:.1f} ms"
        elif key == "es_overhead" and es100:
            m = es100["latency"]["match"]
            value = m["ratio_p50"]
            ok = value < 1.5
            note = f"×{m['ratio_p50']:.2f} at p50, ×{m['ratio_p95']:.2f} at p95 (match, 100k)"
        elif key == "embedded_match_p95" and emb10:
            value = emb10["latency"]["match"]["app"]["p95"]
            ok, note = value <= 50, f"p95 {value:.1f} ms"
        elif key == "reindex_100k" and es100:
            value = es100["reindex"]["providers_s"]
            ok = value <= 60
            note = (
                f"providers {value:.1f} s, demands {es100['reindex']['demands_s']:.1f} s "
                "(Elasticsearch, 100k each)"
            )
        out.append(
            {
                "key": key,
                "target": text,
                "value": value,
                "pass": ok,
                "note": note or "not measured in this run",
            }
        )
    return out


def _fmt(v, digits=1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def result_tables(report: dict) -> list[str]:
    lines: list[str] = []
    names = {
        "elasticsearch": "Elasticsearch",
        "embedded": "Embedded (SQLite file + in-memory index)",
    }
    labels = {
        "match": "demand → providers",
        "leads": "provider → leads",
        "search": "faceted demand search",
    }
    for kind in report["backends"]:
        rows = [r for r in report["results"] if r["backend"] == kind]
        if not rows:
            continue
        lines += [
            f"### {names[kind]}",
            "",
            "Indexing (`index`: batches of 500 through the library; `reindex`: the full set into "
            "a new index, alias swap included):",
            "",
            "| providers / demands | `index` providers docs/s | `index` demands docs/s | "
            "`reindex` providers | `reindex` demands |",
            "|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            ix, rx = r["index"], r["reindex"]
            sample = "" if ix["documents"] == r["size"] else f" (first {ix['documents']:,})"
            lines.append(
                f"| {r['size']:,} | {ix['providers_per_s']:,.0f}{sample} | "
                f"{ix['demands_per_s']:,.0f}{sample} | {rx['providers_s']:.1f} s "
                f"({rx['providers'] / rx['providers_s']:,.0f}/s) | {rx['demands_s']:.1f} s "
                f"({rx['demands'] / rx['demands_s']:,.0f}/s) |"
            )
        lines += [
            "",
            f"Latency in ms ({report['queries']} queries per row after {report['warmup']} warm-up "
            "queries; app = the search library's call, raw = the engine alone, see below; CPU = "
            "this process's CPU time per app call, which excludes the Elasticsearch server):",
            "",
            "| size | operation | app p50 | app p95 | app p99 | CPU p50 | CPU p95 | raw p50 | "
            "raw p95 | app/raw p50 | app/raw p95 |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            for op in ("match", "leads", "search"):
                e = r["latency"][op]
                cpu = e.get("cpu", {})
                lines.append(
                    f"| {r['size']:,} | {labels[op]} | {_fmt(e['app']['p50'])} | "
                    f"{_fmt(e['app']['p95'])} | {_fmt(e['app']['p99'])} | "
                    f"{_fmt(cpu.get('p50'))} | {_fmt(cpu.get('p95'))} | "
                    f"{_fmt(e['raw']['p50'])} | {_fmt(e['raw']['p95'])} "
                    f"| {_fmt(e['ratio_p50'], 2)}× | {_fmt(e['ratio_p95'], 2)}× |"
                )
        if kind == "elasticsearch":
            lines += [
                "",
                "Raw requests split (p50 ms) and Elasticsearch's own `took` (median ms):",
                "",
                "| size | operation | `_msearch` (nearest) p50 | `_termvectors` p50 | "
                "`_search` p50 (all) | `took` median (all) |",
                "|---:|---|---:|---:|---:|---:|",
            ]
            for r in rows:
                for op in ("match", "leads", "search"):
                    e = r["latency"][op]
                    ms = e.get("raw__msearch", {}).get("p50")
                    tv = e.get("raw__termvectors", {}).get("p50")
                    se = e.get("raw_search", {}).get("p50")
                    took = e.get("es_took_ms", {}).get("p50")
                    lines.append(
                        f"| {r['size']:,} | {labels[op]} | {_fmt(ms)} | {_fmt(tv)} | {_fmt(se)} | "
                        f"{_fmt(took, 0)} |"
                    )
        http = [r for r in rows if "http" in r]
        for r in http:
            h = r["http"]
            lines += [
                "",
                f"Full HTTP path at {r['size']:,} providers: `GET "
                f"/api/v1/demands/{{id}}/matches?limit=10` through the Flask test client, "
                f"{h['repeat']['n']} demands:",
                "",
                "| | p50 ms | p95 ms | p99 ms |",
                "|---|---:|---:|---:|",
                "| first request per demand (records the exposure; no index write) | "
                f"{_fmt(h['first']['p50'])} | {_fmt(h['first']['p95'])} | "
                f"{_fmt(h['first']['p99'])} |",
                f"| repeated request | {_fmt(h['repeat']['p50'])} | {_fmt(h['repeat']['p95'])} | "
                f"{_fmt(h['repeat']['p99'])} |",
                f"| `match_providers` alone, same demands | {_fmt(h['library']['p50'])} | "
                f"{_fmt(h['library']['p95'])} | {_fmt(h['library']['p99'])} |",
                "",
                f"Web layer (auth, database reads, serialisation) ≈ "
                f"{100 * h['web_share_p50']:.0f}% of the repeated request's p50.",
            ]
        lines.append("")
    return lines


def print_summary(report: dict) -> None:
    from . import load

    print()
    for line in result_tables(report) + load.tables(report.get("load", [])):
        print(line)
    for t in report["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[t["pass"]]
        print(f"{verdict} {t['target']}: {t['note']}")
    print(f"total time {report['seconds']:.0f} s")


# Measured separately with Elasticsearch's profile API and variants of the recorded request
# (100k synthetic providers, 25 demands, median `took` of the best of 3 runs each).
def analysis(report: dict) -> list[str]:
    """Where the time goes (numbers from this run where the run has them)."""
    lines = ["## Where the time goes", ""]
    es = {r["size"]: r for r in report["results"] if r["backend"] == "elasticsearch"}
    emb = {r["size"]: r for r in report["results"] if r["backend"] == "embedded"}
    if es:
        took = ", ".join(
            f"{e['latency']['match'].get('es_took_ms', {}).get('p50', 0):.0f} ms at {n:,}"
            for n, e in sorted(es.items())
        )
        lines += [
            f"- **Elasticsearch matching is engine-bound.** The server's own `took` for a match "
            f"(all its requests): {took}. A match asks the engine five times "
            "(`search/backends/elastic.py`): one `_msearch` for the documents nearest the "
            "demand's vector in each vector field (exact `knn`, also the industry inference's "
            "neighbours), the `_termvectors` for the term statistics (about 1 ms), the first "
            "phase (ids and scores of the best 500 only: no named clause, no stored field, the "
            "evidence clauses alone, the similarities as bands of ids), the explanation of "
            "the best 100 (for the trees and the reasons: the text clauses named, every other "
            "clause scored in Python from the hits' doc values, no stored field) and the stored "
            "fields of the final 10.",
            "  Matching runs in two phases (`search/scoring.py`): a document is a candidate only "
            "when structural evidence (cluster, related cluster, service, case cluster), an "
            "*informative* text term (one in at most max(1,000 documents, 5 %) of the index) or a "
            "similarity matches; the first phase ranks the candidates by their evidence alone "
            "(so Elasticsearch skips those that cannot reach the window), and a `rescore` over "
            "the best 500 adds the common terms' share and the signals that make no candidate "
            "(budget, region, level, price breadth), with the same weights. With fewer "
            "candidates than the window (the judged set) the result is that of full scoring.",
        ]
    rates = [
        (n, r["reindex"]["providers"] / r["reindex"]["providers_s"]) for n, r in sorted(es.items())
    ]
    if rates:
        lines += [
            "- **Reindexing shares two cores between building documents and Elasticsearch.** "
            "`reindex` loads "
            + ", ".join(f"{rate:,.0f} providers/s at {n:,}" for n, rate in rates)
            + "; documents are built and encoded as JSON in forked worker processes (one per "
            "core) while this process sends two bulk requests at a time, with the taxonomy "
            "`keywords` segmented once per label. Building one provider document costs "
            "≈ 0.25–0.3 ms of CPU (jieba-rs segmentation and the meaning vectors about a third "
            "each) and encoding it (orjson) ≈ 0.02 ms; Elasticsearch spends about as much per "
            "document indexing it and merging the index into one segment. All of it is CPU, so "
            "the rebuild slows down in proportion when other processes take the cores.",
        ]
    if emb:
        lines += [
            "- **Embedded matching** scores every candidate with numpy arrays by document "
            "position (keyword masks, BM25 over the query terms' postings arrays, one points "
            "array, a partition to the window) and exact vector similarities (one numpy product "
            "over all documents per similarity clause, plus one over the case vectors for the "
            "industry neighbours); the window and the reasons are computed on their few ids. It "
            "is linear in the postings of the query's terms and in the documents (the similarity "
            "clauses bring up to 1,000 each); the synthetic texts use a narrower vocabulary than "
            "real ones, so their postings are denser and these numbers are on the pessimistic "
            "side. It runs in the benchmark's own process, so on a busy machine its wall-clock "
            "times grow with the load average (see Machine).",
        ]
    lines += [
        "- **Word vectors** cost little: a document's vector is a weighted sum of its tokens' "
        "rows, and an unseen word's n-gram vector is computed once per process and cached "
        "(≈ 0.06 ms per text, about twice its segmentation). At query time "
        "Elasticsearch answers one `_msearch` of exact `knn` searches (the 1,000 nearest "
        "providers by profile and by case vector; the first 10 by case vector are the industry "
        "inference's neighbours). A rebuilt index is merged into one segment before the alias "
        "swap: at 100,000 providers in six segments a 1,000-nearest search took ~5× as long.",
    ]
    http = [r for r in report["results"] if "http" in r]
    for r in http:
        h = r["http"]
        web = h["repeat"]["p50"] - h["library"]["p50"]
        first = h["first"]["p50"] - h["repeat"]["p50"]
        lines.append(
            f"- **Web layer** ({r['backend']}, {r['size']:,}): a repeated `GET …/matches` costs "
            f"≈ {web:.0f} ms (p50) beyond `match_providers` (token check, loading the demand and "
            "the "
            f"provider rows, serialisation); the first request for a demand costs ≈ {first:.0f} ms "
            "more, for recording the exposure and committing (nothing is re-indexed)."
        )
    lines.append("")
    return lines


LOAD_BEGIN = "<!-- load run: written by scripts/bench/load.py -->"


def write_doc(report: dict, path: Path = BENCH_DOC) -> None:
    """Write the parts this run measured; a part it did not run keeps its last text."""
    from . import load

    old = path.read_text(encoding="utf-8") if path.exists() else ""
    old, kept = _kept_sections(old)
    old_search, _, old_load = old.partition(LOAD_BEGIN)
    search = "\n".join(search_lines(report)) if report["results"] else old_search
    section = "\n".join(load.section(report)) if report.get("load") else old_load
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"{search.rstrip()}\n\n{LOAD_BEGIN}\n{section.strip()}\n"
    path.write_text(text + (f"\n{kept}\n" if kept else ""), encoding="utf-8")


# Sections written elsewhere, kept as they are: the survey import's (scripts/bench_import.py)
# and the notes on experiments measured outside a full run (by hand, between the markers).
KEPT_SECTIONS = ("experiments", "import")


def _kept_sections(text: str) -> tuple[str, str]:
    """``text`` without its kept sections, and those sections (markers included)."""
    kept = []
    for name in KEPT_SECTIONS:
        begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
        if begin not in text or end not in text:
            continue
        before, rest = text.split(begin, 1)
        section, after = rest.split(end, 1)
        text = before.rstrip() + "\n" + after
        kept.append(begin + section + end)
    return text, "\n\n".join(kept)


def search_lines(report: dict) -> list[str]:
    m, es = report["machine"], report.get("elasticsearch")
    lines = [
        "# Search and matching benchmarks",
        "",
        f"Measured {report['date']} with `scripts/bench/` (`make bench`), "
        f"{report['seconds'] / 60:.0f} minutes in all.",
        "",
        "## Machine",
        "",
        f"- {m['cores']} CPU cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}",
        f"- Python {m['python']}; benchmark, app and library in one process",
    ]
    if report.get("load_before") and report.get("load_after"):
        lines.append(
            f"- Load average (1 min) {report['load_before'][0]:.1f} at the start, "
            f"{report['load_after'][0]:.1f} at the end (other work on the machine skews latencies)"
        )
        loads = [
            f"{r['backend']} {r['size']:,}: {r['load'][0]:.1f}"
            for r in report["results"]
            if r.get("load")
        ]
        if loads:
            lines.append("- Load average when each run started: " + "; ".join(loads))
    lines += [f"- {note}" for note in report.get("notes", ())]
    if es:
        lines.append(
            f"- Elasticsearch {es['version']} (single node on the same machine, JVM {es['jvm']}, "
            f"heap {es['heap_mib']} MiB, one shard and no replica per index, security off)"
        )
    lines += [
        "- Embedded backend: SQLite file on local disk, in-memory inverted index in the same "
        "process",
        "",
        "## Targets",
        "",
        "| target | result | |",
        "|---|---|---|",
    ]
    for t in report["targets"]:
        verdict = {True: "**PASS**", False: "**FAIL**", None: "not measured"}[t["pass"]]
        lines.append(f"| {t['target']} | {verdict} | {t['note']} |")
    lines += ["", "## Results", ""]
    lines += result_tables(report)
    lines += analysis(report)
    lines += [
        "## What is measured",
        "",
        f"- **Data**: synthetic, deterministic (seed {SEED}). Providers: industry clusters, "
        "services (drawn "
        "as chains such as concept → appearance → structure → prototype), districts, kinds, "
        "levels, team "
        "sizes and price ranges distributed as in Chongqing's design sector (the main urban "
        "districts and Yongchuan dominate, most firms have no level), Chinese descriptions and 0–3 "
        "portfolio cases assembled from taxonomy labels and product words (~185 characters of text "
        "per provider, like the judged set); demands: title, ~80-character description, one "
        "cluster, 1–3 services, a budget between 20k and 2M CNY, 90 % published. As many demands "
        "as providers.",
        f"- **`index`**: `backend.index` in batches of {BATCH}, documents per second including "
        "text analysis "
        f"(Python). Above {INDEX_SAMPLE:,} documents it runs on the first {INDEX_SAMPLE:,} only; "
        "the full set is then loaded with `reindex`.",
        "- **`reindex`**: `backend.reindex` of the full set: a new index, documents built and "
        "bulk-loaded, refresh, atomic alias swap, old index deleted (embedded: a new table, then "
        "the in-memory index rebuilt from it).",
        "- **Latency**: random demands for `match_providers(demand, 10)`, random providers for "
        "`match_leads(provider, 10)`, and faceted `search` on demands (one or two query words from "
        "the product and service vocabulary, `status=published` plus zero to two filters on "
        "cluster and region, facets cluster/service/region), after warm-up queries. Sequential, "
        "one client. Matching is the full learned specification: cluster credit including the "
        "industry inferred from the text (the 10 providers whose case vectors lie nearest the "
        "demand's: the first of the `_msearch` below in Elasticsearch, numpy dot products "
        "embedded), the meaning signals (exact `knn` searches on `flat` 64-dimension "
        "`dense_vector` fields in Elasticsearch, exact numpy dot products embedded; word vectors "
        "of unseen words computed "
        "from their character n-grams) and the damped providers the matching service would pass "
        "(its rule applied to the synthetic exposure counts).",
        "- **Raw engine, Elasticsearch**: the exact HTTP requests the library sent for the same "
        "query (for a match the `_msearch` of nearest documents, the `_termvectors` request "
        "for the term statistics, the first phase's, the explanation's and the final "
        "documents' `_search`), recorded "
        "from the client's transport and replayed over one keep-alive connection with Python's "
        "`http.client`, response JSON parsed. App and raw runs alternate per query. App/raw is the "
        "library's own Python work (text analysis, query building, the official client, reasons) "
        "on top of the engine.",
        "- **Raw engine, embedded**: the embedded backend has no SQLite FTS5 query: SQLite only "
        "stores "
        "the documents and search runs on an in-memory inverted index in Python. Raw is therefore "
        "that evaluation alone on an already-built query (`run_spec` / the search plan), app adds "
        "text analysis of the demand or provider, query building and the per-call freshness check "
        "against the SQLite file.",
        "- **HTTP path**: the same records inserted as database rows, the app wired to the same "
        "backend "
        "and index, `GET /api/v1/demands/{id}/matches?limit=10` through Flask's test client (no "
        "network). The first request for a demand records which providers were shown (exposure "
        "rule: rows only, the index is not touched); repeated requests only read.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench                                   # ELASTICSEARCH_URL set: both backends",
        "ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python -m scripts.bench",
        ".venv/bin/python -m scripts.bench --backend embedded --sizes 1000,10000 --queries 200",
        ".venv/bin/python -m scripts.bench --quick --backend embedded --no-write   # smoke test",
        "```",
        "",
        "Without `ELASTICSEARCH_URL` (or `--elasticsearch-url`) only the embedded backend runs. "
        "Elasticsearch indices get a unique prefix and are deleted at the end.",
        "",
    ]
    return lines
