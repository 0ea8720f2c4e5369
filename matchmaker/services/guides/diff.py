"""What changed between two editions: computed once, when the later one is published."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .snapshot import SHORTAGE, SURPLUS

TOTALS = ("open_demands", "providers", "verified_providers", "shortages", "surpluses")


def _gap_keys(content: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    gaps = content.get("gaps") or {}
    return {
        (kind, g["scope"], g["code"]): g for kind in (SHORTAGE, SURPLUS) for g in gaps.get(kind, [])
    }


def changes(
    previous: dict[str, Any],
    previous_meta: dict[str, Any],
    current: dict[str, Any],
    status_of: Callable[[list[int]], dict[int, str]],
) -> dict[str, Any]:
    """New and closed demands, gaps opened and closed, and the change of the headline totals.

    ``status_of`` gives the demands' status now (a demand that left the open set may have been
    closed, or sent back to review after an edit; a deleted one has no status).
    """
    # An edition limited to some clusters is compared with the previous edition on those
    # clusters only.
    scope = set(current.get("scope") or [])
    same_scope = set(previous.get("scope") or []) == scope

    def in_scope(cluster: str) -> bool:
        return not scope or cluster in scope

    before = {d["id"]: d for d in previous.get("open_demands", []) if in_scope(d["cluster"])}
    now = {d["id"]: d for d in current.get("open_demands", [])}
    gone = [before[i] for i in before if i not in now]
    statuses = status_of([d["id"] for d in gone]) if gone else {}
    closed = [{**d, "status": statuses.get(d["id"], "deleted")} for d in gone]

    gaps_before = {
        k: g
        for k, g in _gap_keys(previous).items()
        if (k[1] == "cluster" and in_scope(k[2])) or (k[1] == "service" and same_scope)
    }
    gaps_now = {k: g for k, g in _gap_keys(current).items() if k[1] == "cluster" or same_scope}
    opened = [{"kind": k[0], **g} for k, g in gaps_now.items() if k not in gaps_before]
    closed_gaps = [{"kind": k[0], **g} for k, g in gaps_before.items() if k not in gaps_now]

    prev_totals, totals = previous.get("totals", {}), current.get("totals", {})
    return {
        **previous_meta,
        "new_demands": [d for i, d in now.items() if i not in before],
        "closed_demands": closed,
        "gaps_opened": opened,
        "gaps_closed": closed_gaps,
        "same_scope": same_scope,
        # Headline totals are only comparable between editions of the same scope.
        "totals_delta": {k: totals.get(k, 0) - prev_totals.get(k, 0) for k in TOTALS}
        if same_scope
        else {},
    }
