"""Prometheus metrics at ``/metrics``: request latency by endpoint, search latency, outbox
backlog, queue depth and failed jobs.

Counters and histograms live in this process (or, under ``matchmaker serve``, in the shared
folder of ``PROMETHEUS_MULTIPROC_DIR`` so that any worker answers for all of them); the
backlog figures are read from the database when scraped. Only a caller with
``METRICS_TOKEN`` (``Authorization: Bearer …``) may read them, or, when no token is set, a
scraper on the same machine that did not come through a proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable

from flask import Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from search import SearchBackend, SearchUnavailable

from ..extensions import db
from . import context

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUEST_SECONDS = Histogram(
    "matchmaker_request_duration_seconds",
    "Time to answer a request, by endpoint (Flask endpoint name), method and status.",
    ["endpoint", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "matchmaker_search_duration_seconds",
    "Time a search or match took, by operation and outcome (ok, unavailable, error).",
    ["operation", "outcome"],
    buckets=LATENCY_BUCKETS,
)
TIMED_OPERATIONS = ("search", "match_providers", "match_leads")


def time_search(backend: SearchBackend) -> SearchBackend:
    """Time the backend's queries into SEARCH_SECONDS (the backend keeps its type)."""
    for operation in TIMED_OPERATIONS:
        setattr(backend, operation, _timed(operation, getattr(backend, operation)))
    return backend


def _timed(operation: str, call: Callable) -> Callable:
    def timed(*args, **kwargs):
        started = time.perf_counter()
        outcome = "error"
        try:
            result = call(*args, **kwargs)
            outcome = "ok"
            return result
        except SearchUnavailable:
            outcome = "unavailable"
            raise
        finally:
            SEARCH_SECONDS.labels(operation, outcome).observe(time.perf_counter() - started)

    return timed


class Backlog:
    """Figures read at scrape time from the database (every worker sees the same ones)."""

    def collect(self):
        from ..services import indexing

        try:
            pending = indexing.pending_count(db.session)
        except SQLAlchemyError as exc:  # the database is down: /readyz says so; keep the rest
            db.session.rollback()
            current_app.logger.warning("metrics: outbox backlog unreadable: %s", exc)
            return
        yield GaugeMetricFamily(
            "matchmaker_outbox_pending",
            "Index changes committed but not yet delivered to the search engine.",
            value=pending,
        )
        yield from _jobs()


def _jobs():
    """Queue depth and failed jobs (the job records are in the database)."""
    from ..jobs import huey
    from ..services import job_runs

    try:
        queued = huey.pending_count()
    except Exception as exc:  # noqa: BLE001 — the queue is down: /readyz says so
        current_app.logger.warning("metrics: job queue unreadable: %s", exc)
    else:
        yield GaugeMetricFamily(
            "matchmaker_jobs_queued", "Background jobs waiting for a worker.", value=queued
        )
    try:
        failed = job_runs.failed_count(db.session)
    except SQLAlchemyError:
        db.session.rollback()
        return
    yield GaugeMetricFamily(
        "matchmaker_jobs_failed",
        "Background jobs that failed for good (their retries used up) and were not retried.",
        value=failed,
    )


class _Process:
    """This process's own metrics, for a server without a multiprocess folder."""

    def collect(self):
        return REGISTRY.collect()


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Process())
    registry.register(Backlog())
    return generate_latest(registry)


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False  # came through a proxy: the address below is the proxy's
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    @app.after_request
    def observe(response):
        REQUEST_SECONDS.labels(
            request.endpoint or "unmatched", request.method, str(response.status_code)
        ).observe(context.elapsed())
        return response

    @app.get("/metrics")
    def metrics():
        if not _allowed():
            abort(404)  # as if it did not exist: nothing to probe for
        return Response(exposition(), content_type=CONTENT_TYPE_LATEST)
