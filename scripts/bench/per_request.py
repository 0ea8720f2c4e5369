"""What one request of each load-run route costs in one process: SQL statements and CPU time.

The load run (``load.py``) says how fast the server answers from outside; this says why. The
same site (the synthetic records in SQLite, their embedded or Elasticsearch index) and the
same request lists go through Flask's test client, so neither HTTP nor the other processes
on the machine count:
CPU time of this process per request and statements per request, for requests not asked
before and for the same requests asked again (as in the load run), and with ``--profile``
the functions that take the time (cProfile, on requests asked again). ``mix`` (first, on the
fresh site, as the load run's warm-up meets it) draws from the four routes' lists at random, as wrk
does, and splits each route's CPU between requests the engine answered and answers kept from
earlier in the process.

    .venv/bin/python -m scripts.bench.per_request [--rounds 3] [--requests 200] [--profile]
        [--routes mix,matches,home page] [--elasticsearch-url http://127.0.0.1:9200]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from .common import SEED
from .load import CHEAPEST, ROUTES, Site, request_lists
from .synthetic import Synth

ROUTE_NAMES = ["mix", "taxonomy", *ROUTES]


def _app(site: Site):
    """The app as `matchmaker serve` configures it from the site's environment."""
    from matchmaker import create_app
    from matchmaker.config import Settings

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": site.env["DATABASE_URL"],
            "ELASTICSEARCH_URL": site.env.get("ELASTICSEARCH_URL"),
            "SEARCH_INDEX_PREFIX": site.prefix,
            "EMBEDDED_SEARCH_PATH": str(site.folder / "search.sqlite3"),
            "SECRET_KEY": site.env["SECRET_KEY"],
            "RATELIMIT_ENABLED": False,
        },
        settings=Settings(MATCHMAKER_INSTANCE_PATH=site.folder),
    )


def _token(client, email: str) -> str:
    from .load import PASSWORD

    answer = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return f"Bearer {answer.get_json()['token']}"


def _run(client, lines: list[str]) -> None:
    for line in lines:
        path, _, auth = line.partition("\t")
        answer = client.get(path, headers={"Authorization": auth} if auth else {})
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.get_data(as_text=True)}")


def _engine_calls() -> float:
    """Questions the search engine answered in this process so far (the metric every call to
    the backend adds to; an answer kept by ``engine_cache`` adds nothing)."""
    from prometheus_client import REGISTRY

    from matchmaker.observability.metrics import TIMED_OPERATIONS

    return sum(
        REGISTRY.get_sample_value(
            "matchmaker_search_duration_seconds_count", {"operation": op, "outcome": "ok"}
        )
        or 0.0
        for op in TIMED_OPERATIONS
    )


def mix(client, lists: dict[str, list[str]], requests: int) -> dict:
    """The load run's mix in one process: ``requests`` draws from the four routes at random;
    per route, CPU ms of the requests the engine answered and of those answered from kept
    answers (a route that asks no engine has only the latter)."""
    rng = random.Random(SEED + 47)
    split: dict[str, dict[str, list[float]]] = {name: {"asked": [], "kept": []} for name in ROUTES}
    whole = time.process_time()
    for _ in range(requests):
        name = rng.choice(list(ROUTES))
        calls, started = _engine_calls(), time.process_time()
        _run(client, [rng.choice(lists[name])])
        spent = (time.process_time() - started) * 1000
        split[name]["asked" if _engine_calls() > calls else "kept"].append(spent)
    result = {"cpu_ms": (time.process_time() - whole) / requests * 1000, "routes": {}}
    for name, parts in split.items():
        result["routes"][name] = {
            part: {"n": len(v), "cpu_ms": statistics.fmean(v) if v else 0.0}
            for part, v in parts.items()
        }
    print(
        f"{'mix':16s} CPU {result['cpu_ms']:6.2f} ms/request over {requests} draws; "
        + "; ".join(
            f"{name}: engine asked {r['asked']['n']} × {r['asked']['cpu_ms']:.2f} ms, "
            f"kept {r['kept']['n']} × {r['kept']['cpu_ms']:.2f} ms"
            for name, r in result["routes"].items()
        )
    )
    return result


def by_package(stats: pstats.Stats) -> str:
    """Own CPU time (cProfile's tottime) summed per package: which layer the time is spent in."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        parts = Path(filename).parts
        if "site-packages" in parts:
            package = parts[parts.index("site-packages") + 1]
        elif "matchmaker" in parts or "search" in parts:
            package = next(p for p in parts if p in ("matchmaker", "search"))
        else:
            package = "python" if filename.startswith(("/", "<")) else filename
        totals[package] = totals.get(package, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    top = sorted(totals.items(), key=lambda item: -item[1])[:8]
    return "  ".join(f"{name} {100 * t / whole:.0f}%" for name, t in top)


def measure(
    rounds: int,
    requests: int,
    profile: bool,
    routes: list[str],
    es_url: str | None = None,
    size: int = 1_000,
) -> dict:
    from matchmaker.extensions import db
    from matchmaker.taxonomy import get_taxonomy

    folder = Path(tempfile.mkdtemp(prefix="bench-per-request-"))
    site = Site("elasticsearch" if es_url else "embedded", es_url, folder, print)
    try:
        synth = Synth(get_taxonomy().raw)
        demands = synth.demands(size)
        site.build(synth.providers(size), demands)
        app = _app(site)
        client = app.test_client()
        tokens = {
            role: _token(client, f"{role}@bench.example")
            for role in ("admin", "enterprise", "provider")
        }
        lists = request_lists(synth, demands, tokens)
        lists["taxonomy"] = [f"{CHEAPEST.split()[1]}\t"] * requests
        statements = {"n": 0}
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_args):
            statements["n"] += 1

        def timed(batch: list[str]) -> tuple[float, float]:
            """CPU ms and SQL statements per request."""
            statements["n"] = 0
            started = time.process_time()
            _run(client, batch)
            return (time.process_time() - started) / len(batch) * 1000, statements["n"] / len(batch)

        results: dict = {}
        if "mix" in routes:  # first: the fresh site, as the load run's warm-up meets it
            results["mix"] = mix(client, lists, requests * len(ROUTES))
        for name in (name for name in routes if name != "mix"):
            lines = lists[name]
            _run(client, lines[:20])  # warm-up: caches, first views of some demands
            # First: requests not asked before (the engine answers each); then the same
            # requests again, as in the load run, where each of its 400 lines comes back
            # many times (kept answers, exposure already recorded).
            first, again = [], []
            for r in range(rounds):
                batch = lines[(r * requests) % len(lines) :][:requests] or lines[:requests]
                first.append(timed(batch))
                again.append(timed(batch))
            results[name] = {
                "cpu_ms": statistics.median(c for c, _ in first),
                "statements": first[-1][1],
                "again_cpu_ms": statistics.median(c for c, _ in again),
                "again_statements": again[-1][1],
            }
            print(
                f"{name:16s} CPU {results[name]['cpu_ms']:6.2f} ms/request "
                f"(rounds {', '.join(f'{c:.2f}' for c, _ in first)}), "
                f"SQL statements {results[name]['statements']:.2f}/request; "
                f"asked again: CPU {results[name]['again_cpu_ms']:6.2f} ms/request "
                f"(rounds {', '.join(f'{c:.2f}' for c, _ in again)}), "
                f"SQL statements {results[name]['again_statements']:.2f}/request"
            )
            if profile:
                profiler = cProfile.Profile()
                profiler.runcall(_run, client, lines[:requests])
                stats = pstats.Stats(profiler)
                print(by_package(stats))
                stats.sort_stats("cumulative").print_stats(r"/(matchmaker|search)/", 30)
        return results
    finally:
        site.drop_index()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="requests per round")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument(
        "--routes", default=",".join(ROUTE_NAMES), help=f"of {', '.join(ROUTE_NAMES)}"
    )
    parser.add_argument(
        "--elasticsearch-url", help="this Elasticsearch instead of the embedded backend"
    )
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f}")
    measure(
        args.rounds, args.requests, args.profile, args.routes.split(","), args.elasticsearch_url
    )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
