"""Liveness and readiness probes (API.md, Additions, Operations).

``/healthz`` only says the process answers. ``/readyz`` asks each part a request needs —
the database, the search engine, the job queue — and answers 503 naming the part that
failed, so a load balancer stops sending traffic to a worker that could not serve it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db
from ..search_engine import get_search

bp = Blueprint("health", __name__)

CHECK_TIMEOUT_SECONDS = 2.0
MAX_REASON = 300


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _search() -> None:
    get_search().check_health(CHECK_TIMEOUT_SECONDS)


def _queue() -> None:
    """The job queue's storage answers (the SQLite file, or Redis with REDIS_URL)."""
    from ..jobs import huey

    huey.pending_count()


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "search": _search, "queue": _queue}


def _outcome(check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as exc:  # any failure makes the part unavailable; the reason is shown
        current_app.logger.warning("readiness check failed: %s", exc)
        reason = " ".join(str(exc).split())[:MAX_REASON] or type(exc).__name__
        return f"unavailable: {reason}"
    return "ok"


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    checks = {name: _outcome(check) for name, check in CHECKS.items()}
    ready = all(outcome == "ok" for outcome in checks.values())
    return jsonify({"checks": checks}), 200 if ready else 503
