"""What every benchmark shares: settings, the machine, percentiles, one backend at one size."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from search import create_backend

if TYPE_CHECKING:
    from .synthetic import Synth

ROOT = Path(__file__).resolve().parents[2]
BENCH_DOC = ROOT / "docs" / "benchmarks.md"
SEED = 20260101
BATCH = 500
WARMUP = 20
INDEX_SAMPLE = 10_000  # above this size, `index` throughput is measured on a sample
DEFAULT_SIZES = {"elasticsearch": (1_000, 10_000, 100_000), "embedded": (1_000, 10_000)}
HTTP_SIZE = {"elasticsearch": 100_000, "embedded": 10_000}
HTTP_QUERIES = 100


def percentiles(samples: list[float]) -> dict:
    """p50/p95/p99 (ms) of samples in seconds (inclusive method: exact order statistics)."""
    if not samples:
        return {"p50": None, "p95": None, "p99": None, "n": 0}
    ms = sorted(1000 * s for s in samples)
    if len(ms) == 1:
        return {"p50": ms[0], "p95": ms[0], "p99": ms[0], "n": 1}
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "n": len(ms)}


def chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def machine() -> dict:
    info = {
        "cores": os.cpu_count(),
        "cpu": "unknown",
        "ram_gib": None,
        "python": platform.python_version(),
        "os": platform.system(),
    }
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    return info


def elastic_info(client) -> dict:
    nodes = client.nodes.info(metric="jvm").body["nodes"]
    node = next(iter(nodes.values()))
    return {
        "version": node.get("version"),
        "jvm": node.get("jvm", {}).get("version"),
        "heap_mib": round(node.get("jvm", {}).get("mem", {}).get("heap_max_in_bytes", 0) / 2**20),
        "nodes": len(nodes),
    }


class BackendRun:
    """One backend at one size: its index (unique prefix, dropped at the end) and results."""

    def __init__(
        self,
        kind: str,
        size: int,
        synth: Synth,
        taxonomy: dict,
        queries: int,
        es_url: str | None,
        workdir: Path,
        log,
        warmup: int = WARMUP,
    ):
        self.kind, self.size, self.synth, self.taxonomy = kind, size, synth, taxonomy
        self.warmup = warmup
        self.index_sample = INDEX_SAMPLE
        self.queries, self.es_url, self.workdir, self.log = queries, es_url, workdir, log
        self.prefix = f"bench-{uuid.uuid4().hex[:8]}-{size}-"
        settings = {"SEARCH_INDEX_PREFIX": self.prefix, "ELASTICSEARCH_TIMEOUT": 120}
        if kind == "elasticsearch":
            settings["ELASTICSEARCH_URL"] = es_url
        else:
            settings["EMBEDDED_SEARCH_PATH"] = str(workdir / f"search-{size}.sqlite3")
        self.backend = create_backend(settings, taxonomy)
        self.result: dict = {"backend": kind, "size": size}
        self.raw = None  # latency.RawHttp to the engine, opened on first use

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.backend.drop_all()
        self.backend.close()
        if self.raw is not None:
            self.raw.close()
