"""Statistics of the talent pool and of diagnostic visits, from the audit trail like the rest.

The same filters as the platform's statistics (``statistics.Filters``: a period in China time,
a cluster, a district). Every figure counts audit events in the period; records are only
named by the events, never read, so deleted profiles and needs still count.

Talent — a need's clusters, district and specialities come from its ``talent_need.created``
event; contacts, acceptances and placements follow their need's:

- needs posted: ``talent_need.created`` in the period; places posted: their headcounts;
- contacts, accepted contacts, placements: ``talent.contacted``, ``talent.contact_accepted``,
  ``talent.placed`` in the period;
- per speciality: places posted, people joined (``talent.created`` of profiles listing it;
  the district and cluster filters apply to the profile's), placements; ``shortfall`` =
  places posted − people joined; rows ranked by shortfall, then places.

Diagnosis — a request's cluster and district come from its ``diagnosis.requested`` event:

- requests: ``diagnosis.requested`` (by the enterprise, or proposed by an administrator);
- visits: reports filed (``diagnosis.reported``; a report is filed after the visit);
- recommendations: the recommended services in those reports;
- turned into demands: ``diagnosis.demand_drafted`` in the period;
- demands won: ``demand.closed_won`` in the period of demands made from a recommendation
  (whenever they were made).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Role, User
from ..taxonomy import get_taxonomy
from . import statistics_recognition
from .access import require_role
from .statistics_recognition import AccreditationFigures, CommonNeedFigures, ShowcaseFigures

ACTIONS = (
    "talent_need.created",
    "talent.created",
    "talent.contacted",
    "talent.contact_accepted",
    "talent.placed",
    "diagnosis.requested",
    "diagnosis.reported",
    "diagnosis.demand_drafted",
    "demand.closed_won",
)


@dataclass
class SpecialityRow:
    code: str
    places: int = 0
    people: int = 0
    placements: int = 0

    @property
    def shortfall(self) -> int:
        return self.places - self.people


@dataclass
class TalentFigures:
    needs_posted: int = 0
    places_posted: int = 0
    contacts: int = 0
    accepted: int = 0
    placements: int = 0
    people_joined: int = 0
    by_speciality: list[SpecialityRow] = field(default_factory=list)


@dataclass
class DiagnosisFigures:
    requests: int = 0
    proposed: int = 0  # of which administrators proposed
    visits: int = 0
    recommendations: int = 0
    drafted: int = 0
    won: int = 0

    @property
    def adoption(self) -> float | None:
        """Recommendations turned into demands, per recommendation made."""
        return self.drafted / self.recommendations if self.recommendations else None


@dataclass
class Figures:
    """The figures beyond the matching funnel: the talent pool, diagnostic visits, and
    recognition and collaboration (``statistics_recognition``)."""

    talent: TalentFigures
    diagnosis: DiagnosisFigures
    accreditation: AccreditationFigures = field(default_factory=AccreditationFigures)
    showcase: ShowcaseFigures = field(default_factory=ShowcaseFigures)
    common_needs: CommonNeedFigures = field(default_factory=CommonNeedFigures)


def _matches(filters: Any, clusters, region: str | None) -> bool:
    return (filters.cluster is None or filters.cluster in (clusters or ())) and (
        filters.region is None or region == filters.region
    )


def report(session: Session, actor: User, filters: Any) -> Figures:
    require_role(actor, Role.ADMIN)
    return compute(session, filters)


def compute(session: Session, filters: Any) -> Figures:
    """The figures for ``filters`` (a ``statistics.Filters``)."""
    events: dict[str, list[AuditEvent]] = {action: [] for action in ACTIONS}
    for event in session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(ACTIONS)).order_by(AuditEvent.id)
    ):
        events[event.action].append(event)
    return Figures(
        _talent(events, filters),
        _diagnosis(events, filters),
        statistics_recognition.compute(session, filters),
        statistics_recognition.showcase(session, filters),
        statistics_recognition.common_needs(session, filters),
    )


def _talent(events: dict[str, list[AuditEvent]], filters: Any) -> TalentFigures:
    needs = {e.subject_id: e.data or {} for e in events["talent_need.created"]}
    figures = TalentFigures()
    rows: dict[str, SpecialityRow] = {}

    def row(code: str) -> SpecialityRow:
        return rows.setdefault(code, SpecialityRow(code))

    def need_counts(data: dict) -> bool:
        return _matches(filters, data.get("clusters"), data.get("region"))

    for event in events["talent_need.created"]:
        data = event.data or {}
        if filters.covers(event.created_at) and need_counts(data):
            figures.needs_posted += 1
            figures.places_posted += int(data.get("headcount") or 1)
            for code in set(data.get("specialities") or []):
                row(code).places += int(data.get("headcount") or 1)
    for action, name in (("talent.contacted", "contacts"), ("talent.contact_accepted", "accepted")):
        for event in events[action]:
            need = needs.get((event.data or {}).get("need_id"), {})
            if filters.covers(event.created_at) and need_counts(need):
                setattr(figures, name, getattr(figures, name) + 1)
    for event in events["talent.placed"]:
        data = event.data or {}
        if filters.covers(event.created_at) and need_counts(data):
            figures.placements += 1
            for code in set(data.get("specialities") or []):
                row(code).placements += 1
    for event in events["talent.created"]:
        data = event.data or {}
        if filters.covers(event.created_at) and need_counts(data):
            figures.people_joined += 1
            for code in set(data.get("specialities") or []):
                row(code).people += 1
    order = {item["code"]: i for i, item in enumerate(get_taxonomy().services.items)}
    figures.by_speciality = sorted(
        rows.values(), key=lambda r: (-r.shortfall, -r.places, order.get(r.code, 999))
    )
    return figures


def _diagnosis(events: dict[str, list[AuditEvent]], filters: Any) -> DiagnosisFigures:
    requests = {e.subject_id: e.data or {} for e in events["diagnosis.requested"]}
    figures = DiagnosisFigures()

    def counts(request_id: int) -> bool:
        data = requests.get(request_id)
        if data is None:
            return False
        return _matches(filters, [data.get("cluster")], data.get("region"))

    for event in events["diagnosis.requested"]:
        if filters.covers(event.created_at) and counts(event.subject_id):
            figures.requests += 1
            figures.proposed += int((event.data or {}).get("origin") == "admin")
    for event in events["diagnosis.reported"]:
        if filters.covers(event.created_at) and counts(event.subject_id):
            figures.visits += 1
            figures.recommendations += int((event.data or {}).get("recommendations") or 0)
    drafted = {}
    for event in events["diagnosis.demand_drafted"]:
        demand_id = (event.data or {}).get("demand_id")
        if counts(event.subject_id):
            drafted[demand_id] = event.subject_id
            if filters.covers(event.created_at):
                figures.drafted += 1
    figures.won = sum(
        1
        for event in events["demand.closed_won"]
        if event.subject_id in drafted and filters.covers(event.created_at)
    )
    return figures
