"""Supply–demand guides (供需指南): admins generate and publish; published editions are public."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..extensions import db
from ..models import Guide, User
from ..services import guides as service
from ..services.guides import GuideIn
from ..transaction import commit
from .routing import ID, current_api_user, route

Status = Literal["shortage", "surplus", "balanced", "idle"]


def _utc(value: dt.datetime) -> dt.datetime:
    """Stored datetimes are naive UTC; they are sent with their zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


UTC = Annotated[dt.datetime, AfterValidator(_utc)]
DESIGN, TALENT = "design", "talent"  # the kinds of guide (services.guides.KINDS)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GuideTotals(Out):
    open_demands: int = Field(description="Published or in-negotiation demands in scope")
    new_demands: int = Field(description="Of those, first published within the period")
    budget_total: int = Field(
        description="Sum of the open demands' budgets (upper bound, else lower), CNY"
    )
    providers: int
    verified_providers: int
    verified_team_size: int
    clusters_with_demand: int
    shortages: int
    surpluses: int


class GuideClusterRow(Out):
    code: str
    tier: str | None
    open_demands: int
    new_demands: int
    budget_total: int
    demand_services: dict[str, int] = Field(
        description="Open demands per service type (code → count)"
    )
    providers: int
    verified_providers: int
    team_size: int = Field(description="Team size sum of every provider serving the cluster")
    verified_team_size: int
    levels: dict[str, int] = Field(description="Verified providers per certification level")
    provider_services: dict[str, int] = Field(description="Verified providers per service type")
    status: Status


class GuideServiceRow(Out):
    code: str
    group: str | None
    open_demands: int
    providers: int
    verified_providers: int
    status: Status


class GuideGap(Out):
    scope: Literal["cluster", "service"]
    code: str
    open_demands: int
    verified_providers: int


class GuideGaps(Out):
    shortage: list[GuideGap] = Field(description="Demand but few verified providers")
    surplus: list[GuideGap] = Field(description="Verified providers but little demand")


class GuideHeatRow(Out):
    cluster: str
    counts: list[int] = Field(description="Open demands per region, in the order of `regions`")


class GuideHeatmap(Out):
    regions: list[str]
    rows: list[GuideHeatRow]


class GuideDemand(Out):
    id: int
    title: str
    cluster: str
    services: list[str]
    region: str
    budget_min: int | None
    budget_max: int | None
    deadline: dt.date | None
    published_at: UTC | None


class GuideProvider(Out):
    id: int
    name: str
    kind: str | None
    level: str | None
    region: str
    clusters: list[str]
    services: list[str]
    team_size: int | None
    verified: bool
    cases: int


class GuideDemandRef(Out):
    id: int
    title: str
    cluster: str
    region: str
    status: str | None = Field(
        None, description="For closed demands: the status when the edition was published"
    )


class GuideGapChange(GuideGap):
    kind: Literal["shortage", "surplus"]


class GuideChanges(Out):
    previous_id: int
    previous_edition: int
    previous_title: str
    new_demands: list[GuideDemandRef]
    closed_demands: list[GuideDemandRef]
    gaps_opened: list[GuideGapChange]
    gaps_closed: list[GuideGapChange]
    same_scope: bool = Field(
        description="Whether both editions cover the same clusters; if not, only the "
        "clusters of this edition are compared and service gaps are left out"
    )
    totals_delta: dict[str, int] = Field(
        description="Change of the headline totals (empty across scopes)"
    )


class GuideTrendPoint(Out):
    edition: int | None
    title: str
    period_end: dt.date | None
    open_demands: int
    providers: int
    verified_providers: int
    shortages: int


class GuideLinks(Out):
    html: str
    pdf: str
    xlsx: str


class GuideSummaryOut(Out):
    id: int
    title: str
    status: Literal["draft", "published"]
    edition: int | None = Field(description="Assigned on publish: 1, 2, 3…")
    period_start: dt.date
    period_end: dt.date
    clusters: list[str] = Field(description="The cluster filter (empty: every cluster)")
    published_at: UTC | None
    previous_id: int | None
    totals: GuideTotals
    links: GuideLinks


class GuideOut(GuideSummaryOut):
    commentary: str
    generated_at: UTC = Field(description="When the snapshot was computed")
    thresholds: dict[str, float] = Field(description="The gap rules' parameters")
    per_cluster: list[GuideClusterRow]
    per_service: list[GuideServiceRow]
    gaps: GuideGaps
    heatmap: GuideHeatmap
    featured_demands: list[GuideDemand]
    featured_providers: list[GuideProvider]
    changes: GuideChanges | None = Field(
        description="Since the previous edition (null for the first or a draft)"
    )
    trend: list[GuideTrendPoint]


class GuideListOut(Out):
    items: list[GuideSummaryOut]


def _summary(guide) -> dict[str, Any]:
    content = guide.content or {}
    return {
        "id": guide.id,
        "title": guide.title,
        "status": guide.status,
        "edition": guide.edition,
        "period_start": guide.period_start,
        "period_end": guide.period_end,
        "clusters": list(guide.clusters or []),
        "published_at": guide.published_at,
        "previous_id": guide.previous_id,
        "totals": content.get("totals", {}),
        "links": {
            "html": f"/guides/{guide.id}",
            "pdf": f"/guides/{guide.id}.pdf",
            "xlsx": f"/guides/{guide.id}.xlsx",
        },
    }


def _full(guide) -> GuideOut:
    content = guide.content or {}
    return GuideOut.model_validate(
        {
            **_summary(guide),
            "commentary": guide.commentary or "",
            "generated_at": content.get("generated_at"),
            "thresholds": content.get("thresholds", {}),
            "per_cluster": content.get("clusters", []),
            "per_service": content.get("services", []),
            "gaps": content.get("gaps", {}),
            "heatmap": content.get("heatmap", {}),
            "featured_demands": content.get("featured_demands", []),
            "featured_providers": content.get("featured_providers", []),
            "changes": content.get("changes"),
            "trend": service.trend(db.session, guide),
        }
    )


@route(
    "/guides",
    "POST",
    summary="Generate a draft guide from current data (admin)",
    tag="guides",
    body=GuideIn,
    response=GuideOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="The draft's content is a full snapshot computed now: per cluster, open demands by "
    "service type, providers and their capacity, gaps, a cluster × district heat map, featured "
    "demands and providers. `clusters` optionally limits it to some clusters.",
)
def create_guide(body: dict) -> GuideOut:
    guide = service.create_draft(db.session, current_api_user(), body)
    commit()
    return _full(guide)


@route(
    f"/guides/<{ID}:guide_id>",
    "PATCH",
    summary="Edit a draft guide (admin)",
    tag="guides",
    body=GuideIn,
    body_schema="GuidePatch",
    response=GuideOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Any subset of the creation fields. A new period or cluster filter regenerates the "
    "snapshot. A published edition is frozen: 409.",
)
def update_guide(guide_id: int, body: dict) -> GuideOut:
    return _drafted(guide_id, lambda user: service.update_draft(db.session, user, guide_id, body))


def _drafted(guide_id: int, act: Callable[[User], Guide]) -> GuideOut:
    """Run the administrator's action on a design guide's draft, commit, answer with the guide."""
    service.require_kind(db.session, guide_id, DESIGN)
    guide = act(current_api_user())
    commit()
    return _full(guide)


# An administrator's action on a draft, without a body: the answer is the guide.
_draft_action = partial(
    route, method="POST", tag="guides", response=GuideOut, errors=(401, 403, 404, 409)
)


@_draft_action(
    f"/guides/<{ID}:guide_id>/regenerate", summary="Recompute a draft from current data (admin)"
)
def regenerate_guide(guide_id: int) -> GuideOut:
    return _drafted(guide_id, lambda user: service.regenerate(db.session, user, guide_id))


@_draft_action(
    f"/guides/<{ID}:guide_id>/publish",
    summary="Publish a draft as the next edition (admin)",
    description="Assigns the next edition number, records what changed since the previous edition "
    "and freezes the edition: later changes to the data never change it. Subscribers are notified. "
    "Publishing twice → 409.",
)
def publish_guide(guide_id: int) -> GuideOut:
    return _drafted(guide_id, lambda user: service.publish(db.session, user, guide_id))


@route(
    f"/guides/<{ID}:guide_id>",
    "DELETE",
    summary="Delete a draft guide (admin)",
    tag="guides",
    status=204,
    errors=(401, 403, 404, 409),
    description="Published editions stay online for good: 409.",
)
def delete_guide(guide_id: int) -> None:
    service.require_kind(db.session, guide_id, DESIGN)
    service.delete_draft(db.session, current_api_user(), guide_id)
    commit()


@route(
    "/guides",
    "GET",
    summary="Published guide editions (public)",
    tag="guides",
    auth=False,
    response=GuideListOut,
    description="Newest edition first. No token needed.",
)
def list_guides() -> GuideListOut:
    return GuideListOut.model_validate(
        {"items": [_summary(g) for g in service.list_published(db.session, DESIGN)]}
    )


@route(
    f"/guides/<{ID}:guide_id>",
    "GET",
    summary="One published guide edition (public)",
    tag="guides",
    auth=False,
    response=GuideOut,
    errors=(404,),
    description="No token needed. Drafts are not public: 404.",
)
def get_guide(guide_id: int) -> GuideOut:
    service.require_kind(db.session, guide_id, DESIGN)
    return _full(service.get_published(db.session, guide_id))


# --- the scarce-talent guide (紧缺人才供需指南): its published editions, read-only ------------


class TalentGuideOut(Out):
    id: int
    title: str
    edition: int
    period_start: dt.date
    period_end: dt.date
    clusters: list[str]
    published_at: UTC
    previous_id: int | None
    commentary: str
    content: dict[str, Any] = Field(
        description="The frozen snapshot: totals, per speciality and per cluster rows (places, "
        "needs, people, gap, ratio, scarce), the scarcity ranking, the changes since the "
        "previous edition and the trend"
    )
    links: GuideLinks


class TalentGuideListOut(Out):
    items: list[TalentGuideOut]


def _talent(guide) -> TalentGuideOut:
    summary = _summary(guide)
    return TalentGuideOut.model_validate(
        {
            **{k: summary[k] for k in ("id", "title", "edition", "period_start", "period_end")},
            **{k: summary[k] for k in ("clusters", "published_at", "previous_id", "links")},
            "commentary": guide.commentary or "",
            "content": guide.content or {},
        }
    )


@route(
    "/talent-guides",
    "GET",
    summary="Published editions of the scarce-talent guide (public)",
    tag="guides",
    auth=False,
    response=TalentGuideListOut,
    description="Newest edition first. No token needed. Drafts are made and published on the "
    "administrators' pages.",
)
def list_talent_guides() -> TalentGuideListOut:
    editions = service.list_published(db.session, TALENT)
    return TalentGuideListOut(items=[_talent(g) for g in editions])


@route(
    f"/talent-guides/<{ID}:guide_id>",
    "GET",
    summary="One published edition of the scarce-talent guide (public)",
    tag="guides",
    auth=False,
    response=TalentGuideOut,
    errors=(404,),
)
def get_talent_guide(guide_id: int) -> TalentGuideOut:
    service.require_kind(db.session, guide_id, TALENT)
    return _talent(service.get_published(db.session, guide_id))
