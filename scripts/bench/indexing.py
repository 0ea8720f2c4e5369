"""Indexing throughput: ``index`` in batches and a full ``reindex`` with the alias swap."""

from __future__ import annotations

import time

from search import DEMANDS, PROVIDERS

from .common import BATCH, BackendRun, chunks


def measure(run: BackendRun, providers: list[dict], demands: list[dict]) -> None:
    """Documents per second through ``index``, seconds for a full ``reindex``."""
    b, r = run.backend, run.result
    b.ensure_indices()
    n = min(len(providers), run.index_sample)
    t0 = time.perf_counter()
    for batch in chunks(providers[:n], BATCH):
        b.index(PROVIDERS, batch)
    t1 = time.perf_counter()
    for batch in chunks(demands[:n], BATCH):
        b.index(DEMANDS, batch)
    t2 = time.perf_counter()
    r["index"] = {
        "documents": n,
        "providers_per_s": n / (t1 - t0),
        "demands_per_s": n / (t2 - t1),
        "providers_s": t1 - t0,
        "demands_s": t2 - t1,
    }
    run.log(
        f"  index ({n} each, batches of {BATCH}): providers {n / (t1 - t0):,.0f}/s, "
        f"demands {n / (t2 - t1):,.0f}/s"
    )
    t0 = time.perf_counter()
    b.reindex(PROVIDERS, iter(providers))
    t1 = time.perf_counter()
    b.reindex(DEMANDS, iter(demands))
    t2 = time.perf_counter()
    b.refresh()
    r["reindex"] = {
        "providers": len(providers),
        "providers_s": t1 - t0,
        "demands": len(demands),
        "demands_s": t2 - t1,
    }
    run.log(
        f"  reindex: {len(providers)} providers {t1 - t0:.1f} s "
        f"({len(providers) / (t1 - t0):,.0f}/s), {len(demands)} demands {t2 - t1:.1f} s "
        f"({len(demands) / (t2 - t1):,.0f}/s)"
    )
    counts = {s.index: s.documents for s in b.status()}
    if counts.get(PROVIDERS) != len(providers) or counts.get(DEMANDS) != len(demands):
        raise RuntimeError(f"index holds {counts}, expected {len(providers)}/{len(demands)}")


# -- latency ------------------------------------------------------------------------------
