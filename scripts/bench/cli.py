"""Command line of the benchmarks (``python -m scripts.bench --help``)."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import __doc__ as PACKAGE_DOC
from . import http_path, indexing, latency, load
from .common import (
    BATCH,
    BENCH_DOC,
    DEFAULT_SIZES,
    HTTP_QUERIES,
    HTTP_SIZE,
    ROOT,
    WARMUP,
    BackendRun,
    elastic_info,
    machine,
)
from .report import print_summary, targets, write_doc
from .synthetic import Synth


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=PACKAGE_DOC.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--backend", choices=("embedded", "elasticsearch", "all"), default="all")
    parser.add_argument(
        "--sizes",
        help="comma-separated provider counts (default: Elasticsearch "
        "1000,10000,100000; embedded 1000,10000)",
    )
    parser.add_argument(
        "--queries", type=int, default=200, help="measured queries per operation (200)"
    )
    parser.add_argument("--quick", action="store_true", help="1k only, 50 queries: a smoke test")
    parser.add_argument(
        "--only",
        choices=("search", "load"),
        help="search: indexing, latency and the HTTP path; load: the load run (default: both)",
    )
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL") or None)
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--write",
        dest="write",
        action="store_true",
        default=None,
        help="write docs/benchmarks.md (default unless --quick)",
    )
    group.add_argument("--no-write", dest="write", action="store_false", help="only print")
    parser.add_argument("--json", type=Path, help="also write the raw results as JSON to this file")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, log=print) -> dict:
    from matchmaker.taxonomy import get_taxonomy

    started = time.perf_counter()
    taxonomy = get_taxonomy().raw
    if args.backend == "all":
        backends = ["embedded"] + (["elasticsearch"] if args.elasticsearch_url else [])
    else:
        backends = [args.backend]
    if "elasticsearch" in backends and not args.elasticsearch_url:
        raise SystemExit("--backend elasticsearch needs --elasticsearch-url or ELASTICSEARCH_URL")
    report: dict = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "backends": backends,
        "queries": min(args.queries, 20) if args.quick else args.queries,
        "warmup": 5 if args.quick else WARMUP,
        "results": [],
        "load_before": os.getloadavg(),
    }
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if args.only in (None, "search"):
            for kind in backends:
                _search(args, kind, report, Synth(taxonomy), taxonomy, workdir, log)
        if args.only in (None, "load"):
            report["load"] = [
                load.measure(
                    kind, args.elasticsearch_url, Synth(taxonomy), workdir, log, args.quick
                )
                for kind in backends
            ]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report["targets"] = targets(report["results"]) + load.targets(report.get("load", []))
    report["seconds"] = time.perf_counter() - started
    report["load_after"] = os.getloadavg()
    return report


def _search(args, kind: str, report: dict, synth: Synth, taxonomy, workdir: Path, log) -> None:
    """Indexing, latency and (at one size) the HTTP path, for each size of one backend."""
    if args.quick:
        sizes = [1_000]
    elif args.sizes:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    else:
        sizes = list(DEFAULT_SIZES[kind])
    http_size = HTTP_SIZE[kind] if HTTP_SIZE[kind] in sizes else max(sizes)
    for size in sizes:
        log(f"{kind}, {size:,} providers and {size:,} demands")
        t0 = time.perf_counter()
        providers, demands = synth.providers(size), synth.demands(size)
        log(f"  generated in {time.perf_counter() - t0:.1f} s")
        run = BackendRun(
            kind,
            size,
            synth,
            taxonomy,
            report["queries"],
            args.elasticsearch_url,
            workdir,
            log,
            report["warmup"],
        )
        run.result["load"] = os.getloadavg()
        if args.quick:
            run.index_sample = BATCH
        try:
            if kind == "elasticsearch" and "elasticsearch" not in report:
                report["elasticsearch"] = elastic_info(run.backend.client)
            indexing.measure(run, providers, demands)
            latency.measure(run, providers, demands)
            if size == http_size:
                http_path.measure(run, providers, demands, 10 if args.quick else HTTP_QUERIES)
        finally:
            run.close()
        report["results"].append(run.result)
        del providers, demands, run
        gc.collect()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = run(args)
    print_summary(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    write = (not args.quick) if args.write is None else args.write
    if write:
        write_doc(report)
        print(f"wrote {BENCH_DOC.relative_to(ROOT)}")
    return 0
