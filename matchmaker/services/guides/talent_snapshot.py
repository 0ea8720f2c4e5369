"""The scarce-talent supply–demand guide's content (紧缺人才供需指南): one JSON snapshot.

A second kind of guide edition from the same machinery as the design guide (``snapshot``):
computed from current data for a draft, frozen at publication, stored as taxonomy codes.

Definitions (every figure can be counted by hand from the tables):

* demand — open talent needs (岗位) in scope; their *open places* are headcount minus the
  people already hired through the platform. A need counts under each of its specialities
  and each of its clusters.
* supply — listed profiles of people who are available now or open to offers; a person
  counts under each of their specialities and clusters. People who are not looking, and
  profiles that are not listed, are not supply.
* per row (a speciality, or a cluster): ``places`` (open places), ``needs`` (open needs),
  ``people`` (supply), ``gap = places − people``; the row is *scarce* when ``gap > 0``.
  ``ratio`` is places per person (null when nobody offers it).
* scarcity ranking: scarce rows by gap (largest first), then places, then taxonomy order.
* in the period (China time, both dates inclusive): needs posted (``talent_need.created``)
  and placements (``talent.placed``), from the audit trail.
* the trend against the previous talent edition (``changes``): per speciality, places,
  people and gap then and now; rows that became scarce and rows that stopped being scarce.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AuditEvent, TalentNeed, TalentNeedStatus, TalentProfile, utcnow
from ...taxonomy import get_taxonomy
from ..statistics import Filters
from . import snapshot
from .snapshot import cluster_scope

SCHEMA_VERSION = 1
KIND = "talent"
SUPPLY = ("available", "open")  # availability codes that count as supply


def _rows(
    order: list[str],
    places: Counter,
    needs: Counter,
    people: Counter,
) -> list[dict[str, Any]]:
    rows = []
    for code in order:
        n_places, n_people = places[code], people[code]
        if not (n_places or n_people):
            continue
        rows.append(
            {
                "code": code,
                "places": n_places,
                "needs": needs[code],
                "people": n_people,
                "gap": n_places - n_people,
                "ratio": round(n_places / n_people, 2) if n_people else None,
                "scarce": n_places > n_people,
            }
        )
    return rows


def ranked(rows: list[dict[str, Any]], order: list[str]) -> list[str]:
    """Codes of the scarce rows: largest gap first, then most places, then taxonomy order."""
    rank = {code: i for i, code in enumerate(order)}
    scarce = [r for r in rows if r["scarce"]]
    return [
        r["code"] for r in sorted(scarce, key=lambda r: (-r["gap"], -r["places"], rank[r["code"]]))
    ]


def build(
    session: Session, period_start: dt.date, period_end: dt.date, clusters: list[str] | None = None
) -> dict[str, Any]:
    """The talent guide's snapshot for a period, optionally limited to some clusters."""
    service_order = [s["code"] for s in get_taxonomy().services.items]
    scope = cluster_scope(clusters)
    in_scope = set(scope)

    needs = [
        n
        for n in session.scalars(
            select(TalentNeed)
            .where(TalentNeed.status == TalentNeedStatus.OPEN)
            .order_by(TalentNeed.id)
        )
        if in_scope.intersection(n.clusters or [])
    ]
    people = [
        p
        for p in session.scalars(
            select(TalentProfile)
            .where(TalentProfile.listed.is_(True), TalentProfile.availability.in_(SUPPLY))
            .order_by(TalentProfile.id)
        )
        if in_scope.intersection(p.clusters or [])
    ]

    by_speciality = {"places": Counter(), "needs": Counter(), "people": Counter()}
    by_cluster = {"places": Counter(), "needs": Counter(), "people": Counter()}
    for need in needs:
        open_places = max(0, need.headcount - need.filled)
        for code in set(need.specialities or []):
            by_speciality["places"][code] += open_places
            by_speciality["needs"][code] += 1
        for code in in_scope.intersection(need.clusters or []):
            by_cluster["places"][code] += open_places
            by_cluster["needs"][code] += 1
    for person in people:
        by_speciality["people"].update(set(person.specialities or []))
        by_cluster["people"].update(in_scope.intersection(person.clusters or []))

    specialities = _rows(service_order, **by_speciality)
    cluster_rows = _rows(scope, **by_cluster)

    period = Filters(period_start, period_end)
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action.in_(("talent_need.created", "talent.placed")),
            AuditEvent.created_at >= period.start_utc,
            AuditEvent.created_at < period.end_utc,
        )
    )
    in_period = Counter(
        e.action for e in events if in_scope.intersection((e.data or {}).get("clusters") or scope)
    )
    scarce_specialities = ranked(specialities, service_order)
    totals = {
        "open_needs": len(needs),
        "open_places": sum(max(0, n.headcount - n.filled) for n in needs),
        "people": len(people),
        "available_now": sum(1 for p in people if p.availability == "available"),
        "needs_posted": in_period["talent_need.created"],
        "placements": in_period["talent.placed"],
        "scarce_specialities": len(scarce_specialities),
    }
    return {
        "kind": KIND,
        "schema": SCHEMA_VERSION,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "period": {"start": period_start.isoformat(), "end": period_end.isoformat()},
        "scope": list(clusters or []),
        "totals": totals,
        "specialities": specialities,
        "clusters": cluster_rows,
        "scarcity": {
            "specialities": scarce_specialities,
            "clusters": ranked(cluster_rows, scope),
        },
        "changes": None,
        "trend": [],
    }


def changes(previous: dict[str, Any], meta: dict[str, Any], content: dict[str, Any]) -> dict:
    """Per speciality, then and now; which became scarce and which eased."""
    before = {r["code"]: r for r in previous.get("specialities") or []}
    now = {r["code"]: r for r in content.get("specialities") or []}
    order = [s["code"] for s in get_taxonomy().services.items]
    rows = []
    for code in order:
        old, new = before.get(code), now.get(code)
        if old is None and new is None:
            continue
        old = old or {"places": 0, "people": 0, "gap": 0, "scarce": False}
        new = new or {"places": 0, "people": 0, "gap": 0, "scarce": False}
        rows.append(
            {
                "code": code,
                "places": [old["places"], new["places"]],
                "people": [old["people"], new["people"]],
                "gap": [old["gap"], new["gap"]],
                "delta_gap": new["gap"] - old["gap"],
            }
        )
    return {
        **meta,
        "specialities": rows,
        "newly_scarce": [r["code"] for r in rows if r["gap"][1] > 0 >= r["gap"][0]],
        "eased": [r["code"] for r in rows if r["gap"][0] > 0 >= r["gap"][1]],
    }


# The totals a talent edition's trend follows from edition to edition.
trend_point = partial(snapshot.trend_point, totals=("open_places", "people", "scarce_specialities"))
