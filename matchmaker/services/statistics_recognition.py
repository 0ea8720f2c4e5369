"""Statistics of recognition: design-centre accreditation and the good-design showcase, from
the audit trail like the rest.

The same filters as the platform's statistics (``statistics.Filters``): a period in China
time and a district (an application's district is its organisation's when it was submitted,
from ``accreditation.submitted``; a cluster filter does not apply to organisations' centres).

- applications: ``accreditation.submitted`` in the period (recordings of municipal or national
  recognitions included, counted apart as ``recorded``);
- decided, approved: ``accreditation.decided`` in the period; approval rate = approved /
  decided (None without decisions);
- recognitions expired: ``recognition.expired`` in the period;
- showcase entries: ``showcase.submitted`` in the period, winners: ``showcase.won`` in the
  period; both filtered by the entry's cluster and district (from its events);
- common needs formed: ``common_need.created``, enterprises that opted in:
  ``common_need.joined``, won: ``common_need.won`` (with the contract values), all in the
  period and filtered by the need's cluster (the district filter does not apply: a common
  need spans districts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent

ACTIONS = (
    "accreditation.submitted",
    "accreditation.decided",
    "recognition.expired",
    "showcase.submitted",
    "showcase.won",
    "common_need.created",
    "common_need.joined",
    "common_need.won",
)


@dataclass
class AccreditationFigures:
    applications: int = 0
    recorded: int = 0  # of which recordings of a municipal or national recognition
    decided: int = 0
    approved: int = 0
    expired: int = 0

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.decided if self.decided else None


@dataclass
class ShowcaseFigures:
    entries: int = 0
    winners: int = 0


def _events(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(ACTIONS)).order_by(AuditEvent.id)
        )
    )


def showcase(session: Session, filters: Any) -> ShowcaseFigures:
    figures = ShowcaseFigures()
    for event in _events(session):
        data = event.data or {}
        if not event.action.startswith("showcase.") or not filters.covers(event.created_at):
            continue
        if filters.region is not None and data.get("region") != filters.region:
            continue
        if filters.cluster is not None and data.get("cluster") != filters.cluster:
            continue
        if event.action == "showcase.submitted":
            figures.entries += 1
        else:
            figures.winners += 1
    return figures


@dataclass
class CommonNeedFigures:
    formed: int = 0
    joined: int = 0
    won: int = 0
    contracted: int = 0  # CNY of the won ones' contracts


def common_needs(session: Session, filters: Any) -> CommonNeedFigures:
    events = [e for e in _events(session) if e.action.startswith("common_need.")]
    clusters = {
        e.subject_id: (e.data or {}).get("cluster")
        for e in events
        if e.action == "common_need.created"
    }
    figures = CommonNeedFigures()
    for event in events:
        if not filters.covers(event.created_at):
            continue
        if filters.cluster is not None and clusters.get(event.subject_id) != filters.cluster:
            continue
        if event.action == "common_need.created":
            figures.formed += 1
        elif event.action == "common_need.joined":
            figures.joined += 1
        else:
            figures.won += 1
            figures.contracted += int((event.data or {}).get("contract_value") or 0)
    return figures


def compute(session: Session, filters: Any) -> AccreditationFigures:
    """The figures for ``filters`` (a ``statistics.Filters``)."""
    events = [
        e for e in _events(session) if e.action.startswith(("accreditation.", "recognition."))
    ]
    regions = {
        e.subject_id: (e.data or {}).get("region")
        for e in events
        if e.action == "accreditation.submitted"
    }
    figures = AccreditationFigures()
    for event in events:
        data = event.data or {}
        if not filters.covers(event.created_at):
            continue
        if event.action == "recognition.expired":
            figures.expired += 1
            continue
        region = data.get("region") or regions.get(event.subject_id)
        if filters.region is not None and region != filters.region:
            continue
        if event.action == "accreditation.submitted":
            figures.applications += 1
            figures.recorded += int(data.get("kind") == "record")
        else:
            figures.decided += 1
            figures.approved += int(bool(data.get("approved")))
    return figures
