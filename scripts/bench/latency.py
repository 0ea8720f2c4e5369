"""Search and matching latency: the library's call against the raw engine doing the same work."""

from __future__ import annotations

import gc
import http.client
import json
import random
import statistics
import time
import urllib.parse

from search import DEMANDS, PROVIDERS

from .common import SEED, BackendRun, percentiles


class RequestRecorder:
    """Records the HTTP requests an Elasticsearch client sends (method, target, body)."""

    def __init__(self, client):
        self.transport = client.transport
        self.original = self.transport.perform_request
        self.calls: list[tuple[str, str, object]] = []

    def __enter__(self) -> RequestRecorder:
        original = self.original

        def perform_request(method, target, **kwargs):
            self.calls.append((method, target, kwargs.get("body")))
            return original(method, target, **kwargs)

        self.transport.perform_request = perform_request
        return self

    def __exit__(self, *exc) -> None:
        del self.transport.perform_request  # back to the class method

    def take(self) -> list[tuple[str, str, object]]:
        calls, self.calls = self.calls, []
        return calls


class RawHttp:
    """Replays recorded requests over one keep-alive connection (standard library only)."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port or 9200, timeout=60)

    def send(self, method: str, target: str, body) -> dict:
        if isinstance(body, (list, tuple)):  # _msearch, _bulk: one JSON document a line
            lines = "".join(json.dumps(part, ensure_ascii=False) + "\n" for part in body)
            data = lines.encode("utf-8")
            headers = {"Content-Type": "application/x-ndjson"}
        else:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, target, body=data, headers=headers)
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {target}: {resp.status} {payload[:300]!r}")
        return json.loads(payload)

    def close(self) -> None:
        self.conn.close()


def damped(providers: list[dict]) -> set[int]:
    """The providers the matching service would damp (its rule, on the synthetic counts)."""
    from matchmaker.services.matching import EXPOSURE_MIN_ANSWER_RATE, EXPOSURE_MIN_RECOMMENDED

    return {
        p["id"]
        for p in providers
        if p["recommended_count"] >= EXPOSURE_MIN_RECOMMENDED
        and p["answered_count"] < EXPOSURE_MIN_ANSWER_RATE * p["recommended_count"]
    }


def _operations(run: BackendRun, providers: list[dict], demands: list[dict]) -> dict:
    """name → (app callable, raw-preparation callable, items)."""
    rng = random.Random(SEED + run.size)
    n = run.queries + run.warmup
    picks_d = [demands[i] for i in rng.sample(range(len(demands)), min(n, len(demands)))]
    picks_p = [providers[i] for i in rng.sample(range(len(providers)), min(n, len(providers)))]
    searches = [run.synth.search_query(rng) for _ in range(n)]
    b = run.backend
    slow = damped(providers)
    return {
        "match": (lambda d: b.match_providers(d, 10, damped=slow), picks_d),
        "leads": (lambda p: b.match_leads(p, 10), picks_p),
        "search": (lambda q: b.search(q), searches),
    }


def _timed(call, item, wall: list, cpu: list) -> None:
    """Run ``call(item)``, noting its wall time and this process's CPU time."""
    c0, t0 = time.process_time(), time.perf_counter()
    call(item)
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)


def measure(run: BackendRun, providers: list[dict], demands: list[dict]) -> None:
    # The benchmark's own records (a few million objects at 100,000) are set aside from the
    # garbage collector: its full passes over them, not the matcher, made the CPU p95.
    gc.collect()
    gc.freeze()
    try:
        _measure(run, providers, demands)
    finally:
        gc.unfreeze()


def _measure(run: BackendRun, providers: list[dict], demands: list[dict]) -> None:
    out = {}
    for name, (app_call, items) in _operations(run, providers, demands).items():
        warm, measured = items[: run.warmup], items[run.warmup :]
        for item in warm:
            app_call(item)
        raw_calls = _prepare_raw(run, name, app_call, measured)
        # The recorded requests too (Elasticsearch: 200 queries' bodies): the collector's
        # full passes over them cost ~80 ms of CPU each and made the p95 of both columns.
        gc.collect()
        gc.freeze()
        app_t, cpu_t, raw_t, extra = [], [], [], []
        for i, item in enumerate(measured):
            # Alternate the order so neither side always runs on the warmer cache.
            if i % 2:
                rt, ex = raw_calls[i]()
                _timed(app_call, item, app_t, cpu_t)
            else:
                _timed(app_call, item, app_t, cpu_t)
                rt, ex = raw_calls[i]()
            raw_t.append(rt)
            extra.append(ex)
        app, raw = percentiles(app_t), percentiles(raw_t)
        entry = {
            "app": app,
            # This process's CPU time (a busy machine inflates it far less than wall time).
            "cpu": percentiles(cpu_t),
            "raw": raw,
            "ratio_p50": app["p50"] / raw["p50"] if raw["p50"] else None,
            "ratio_p95": app["p95"] / raw["p95"] if raw["p95"] else None,
        }
        entry.update(_summarise_extra(extra))
        out[name] = entry
        run.log(
            f"  {name:6s} app p50 {app['p50']:7.2f} p95 {app['p95']:7.2f} p99 "
            f"{app['p99']:7.2f} ms (CPU p50 {entry['cpu']['p50']:6.2f} p95 "
            f"{entry['cpu']['p95']:6.2f}) | "
            f"raw p50 {raw['p50']:7.2f} p95 {raw['p95']:7.2f} ms | ×{entry['ratio_p50']:.2f} "
            f"(p50) ×{entry['ratio_p95']:.2f} (p95)"
        )
    run.result["latency"] = out


def _prepare_raw(run: BackendRun, name: str, app_call, items: list) -> list:
    """One callable per item: runs the raw engine's share of that query.

    Each returns (seconds, extra)."""
    if run.kind == "elasticsearch":
        return _prepare_raw_elastic(run, app_call, items)
    return _prepare_raw_embedded(run, name, items)


def _prepare_raw_elastic(run: BackendRun, app_call, items: list) -> list:
    recorder = RequestRecorder(run.backend.client)
    recorded = []
    with recorder:
        for item in items:
            app_call(item)
            recorded.append([c for c in recorder.take() if c[0] in ("GET", "POST")])
    http = _raw_http(run)

    def make(calls):
        def timed():
            parts = {}
            t0 = time.perf_counter()
            for method, target, body in calls:
                t = time.perf_counter()
                resp = http.send(method, target, body)
                kind = "search" if "/_search" in target else target.split("?")[0].rsplit("/", 1)[-1]
                parts[kind] = parts.get(kind, 0.0) + time.perf_counter() - t
                if "took" in resp:
                    parts["took_ms"] = parts.get("took_ms", 0.0) + resp["took"]
            return time.perf_counter() - t0, parts

        return timed

    return [make(calls) for calls in recorded]


def _raw_http(run: BackendRun) -> RawHttp:
    if run.raw is None:
        run.raw = RawHttp(run.es_url)
    return run.raw


def _prepare_raw_embedded(run: BackendRun, name: str, items: list) -> list:
    from search.backends.embedded import _run_search, run_spec
    from search.query import search_plan
    from search.scoring import lead_spec, provider_spec

    b = run.backend
    b.refresh()
    cache = b._cache  # the in-memory inverted indices the backend queries

    def make(item):
        if name == "match":
            spec = provider_spec(item, run.taxonomy, b.analyzer, cache[PROVIDERS].neighbours)
            fn = lambda: run_spec(cache[PROVIDERS], spec, 10)  # noqa: E731
        elif name == "leads":
            spec = lead_spec(item, run.taxonomy, b.analyzer)
            fn = lambda: run_spec(cache[DEMANDS], spec, 10)  # noqa: E731
        else:
            plan = search_plan(item, b.analyzer)
            fn = lambda: _run_search(cache[plan.index], plan)  # noqa: E731

        def timed():
            t0 = time.perf_counter()
            fn()
            return time.perf_counter() - t0, {}

        return timed

    return [make(item) for item in items]


def _summarise_extra(extra: list[dict]) -> dict:
    keys = sorted({k for e in extra for k in e})
    out = {}
    for k in keys:
        values = [e[k] for e in extra if k in e]
        if k == "took_ms":
            out["es_took_ms"] = {
                "p50": statistics.median(values),
                "mean": statistics.fmean(values),
            }
        else:
            out[f"raw_{k}"] = percentiles(values)
    return out


# -- full HTTP path -----------------------------------------------------------------------
