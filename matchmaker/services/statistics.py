"""Platform statistics, computed from the audit trail (never from counters that can drift).

Sources: ``AuditEvent`` rows (what happened when), the ``Recommendation`` exposure log (the
first time a provider was shown as a match for a demand) and stable attributes of the
records the events name: a demand's cluster and district (from its row, or from its
``demand.created`` event once the row is deleted) and a provider's clusters and district.

Time: timestamps are stored as naive UTC; periods and months are China time (UTC+8), so an
event at 2025-01-31 20:00 UTC belongs to February. A period is [from, to], both dates inclusive.

Filters: ``cluster`` and ``region`` (district) select demands by their cluster and district;
providers (for "providers created") by listing the cluster and by their district. Every
pair-based number (funnel, exposure) follows its demand.

Definitions
- Demands published: demands whose *first* ``demand.published`` falls in the period (a
  demand re-published after an edit is not counted again), by month, cluster and district.
- Providers created: ``provider.created`` events in the period. A provider lists several
  clusters and counts once under each, so the per-cluster rows may sum to more than the
  total. Deleted providers have no attributes left and are not counted.
- Funnel (each stage counts what happened in the period, so it is not a cohort):
  recommended = demand–provider pairs first shown in the period (``Recommendation`` rows);
  interest = ``interest.created``; accepted = ``interest.accepted`` (distinct pairs);
  signed = pairs whose contract was signed at a meeting (``meeting.contract_signed`` not
  later cancelled, dated by the last signature) plus demands closed as won
  (``demand.closed_won``) that have no such meeting contract.
- Median time to first interest: over demands first published in the period, hours from
  that publication to the demand's first ``interest.created`` (up to now); demands without
  any interest yet are reported separately, not counted as infinite.
- Three qualified interests within 7 days: among demands first published in the period
  whose 7-day window has ended, the share that received interests from at least three
  distinct *qualified* providers within 7 × 24 hours of publication. Qualified: the
  provider's profile lists the demand's cluster, and the interest was not withdrawn
  within the same window (declined interests still count: the enterprise got them).
  Demands whose window is still open are reported as pending.
- Success rate per cluster: among demands closed in the period (``demand.closed_*``),
  won / (won + withdrawn + expired).
- Exposure spread: recommendations made in the period counted per provider, over every
  provider that existed by the end of the period (listing the cluster filter's cluster, if
  any) plus any provider shown anyway, zeros included. Gini coefficient (0 = every provider
  shown equally, → 1 = all exposure on one provider) and the share of exposure going to the
  top 10 % of providers (rounded up to whole providers).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics as pystats
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import china_time
from ..models import AuditEvent, Demand, Provider, Recommendation, Role, User, utcnow
from ..taxonomy import get_taxonomy
from .access import require_role
from .errors import ValidationFailed

WINDOW = dt.timedelta(days=7)
QUALIFIED_THRESHOLD = 3
MAX_PERIOD_DAYS = 366 * 5
CLOSE_ACTIONS = {
    "demand.closed_won": "won",
    "demand.closed_withdrawn": "withdrawn",
    "demand.closed_expired": "expired",
}
ACTIONS = (
    "demand.created",
    "demand.published",
    "provider.created",
    "interest.created",
    "interest.accepted",
    "interest.withdrawn",
    "meeting.contract_signed",
    "meeting.contract_cancelled",
    *CLOSE_ACTIONS,
)


def month_of(value: dt.datetime) -> str:
    return china_time.to_local(value).strftime("%Y-%m")


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    cluster: str | None = None
    region: str | None = None

    @property
    def start_utc(self) -> dt.datetime:
        return china_time.to_utc(dt.datetime.combine(self.start, dt.time()))

    @property
    def end_utc(self) -> dt.datetime:  # exclusive
        return china_time.to_utc(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()))

    def covers(self, value: dt.datetime) -> bool:
        return self.start_utc <= value < self.end_utc

    def months(self) -> list[str]:
        result, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


def default_filters(now: dt.datetime | None = None) -> Filters:
    """The last twelve months, this one included."""
    today = china_time.today(now)
    year, month = today.year, today.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return Filters(dt.date(year, month, 1), today)


def make_filters(
    start: dt.date | None,
    end: dt.date | None,
    cluster: str | None = None,
    region: str | None = None,
    now: dt.datetime | None = None,
) -> Filters:
    """Checked filters; missing dates default to the last twelve months."""
    default = default_filters(now)
    start, end = start or default.start, end or default.end
    errors: dict[str, list[str]] = {}
    taxonomy = get_taxonomy()
    if cluster and cluster not in taxonomy.clusters:
        errors["cluster"] = [_("无效的选项")]
    if region and region not in taxonomy.regions:
        errors["region"] = [_("无效的选项")]
    if start > end:
        errors["end"] = [_("结束日期不能早于开始日期")]
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors["end"] = [_("统计区间最长 5 年")]
    if errors:
        raise ValidationFailed(_("筛选条件有误"), errors)
    return Filters(start, end, cluster or None, region or None)


# --- the report --------------------------------------------------------------------------------


@dataclass
class Funnel:
    recommended: int = 0
    interest: int = 0
    accepted: int = 0
    signed: int = 0
    signed_at_meetings: int = 0
    contract_value: int = 0  # CNY, contracts signed at meetings

    def stages(self) -> list[tuple[str, int]]:
        return [
            ("recommended", self.recommended),
            ("interest", self.interest),
            ("accepted", self.accepted),
            ("signed", self.signed),
        ]

    def rate(self, stage: str) -> float | None:
        """This stage relative to the one before it."""
        stages = dict(self.stages())
        order = [s for s, _n in self.stages()]
        i = order.index(stage)
        if i == 0:
            return None
        before = stages[order[i - 1]]
        return stages[stage] / before if before else None


@dataclass
class Responsiveness:
    published: int = 0  # demands first published in the period
    with_interest: int = 0
    without_interest: int = 0
    median_hours: float | None = None
    eligible: int = 0  # 7-day window over
    reached: int = 0  # ≥ 3 qualified interests within the window
    pending: int = 0  # window still open

    @property
    def share(self) -> float | None:
        return self.reached / self.eligible if self.eligible else None


@dataclass
class ClusterSuccess:
    cluster: str
    won: int = 0
    withdrawn: int = 0
    expired: int = 0

    @property
    def closed(self) -> int:
        return self.won + self.withdrawn + self.expired

    @property
    def rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


@dataclass
class Exposure:
    providers: int = 0  # population, zeros included
    total: int = 0
    never_shown: int = 0
    gini: float | None = None
    top10_share: float | None = None
    top: list[tuple[int, str, int]] = field(default_factory=list)  # provider id, name, count


@dataclass
class Report:
    filters: Filters
    months: list[str]
    demands_by_month: dict[str, int]
    providers_by_month: dict[str, int]
    demands_by_cluster: dict[str, int]
    demands_by_region: dict[str, int]
    providers_by_cluster: dict[str, int]
    providers_by_region: dict[str, int]
    demands_by_month_cluster: dict[tuple[str, str], int]
    demands_by_month_region: dict[tuple[str, str], int]
    funnel: Funnel
    responsiveness: Responsiveness
    success: list[ClusterSuccess]
    success_total: ClusterSuccess
    exposure: Exposure

    @property
    def demands_published(self) -> int:
        return sum(self.demands_by_month.values())

    @property
    def providers_created(self) -> int:
        return sum(self.providers_by_month.values())


def gini(values: list[int]) -> float | None:
    """Mean absolute difference over twice the mean: Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ)."""
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return None
    ordered = sorted(values)
    # Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σᵢ (2i − n − 1) xᵢ with i from 1 over the sorted values.
    weighted = sum((2 * i - n - 1) * x for i, x in enumerate(ordered, start=1))
    return 2 * weighted / (2 * n * n * (total / n))


def top_share(values: list[int], fraction: float = 0.10) -> float | None:
    total = sum(values)
    if not values or total == 0:
        return None
    k = math.ceil(len(values) * fraction)
    return sum(sorted(values, reverse=True)[:k]) / total


class _Facts:
    """Everything the report reads, loaded once."""

    def __init__(self, session: Session):
        self.events: dict[str, list[AuditEvent]] = defaultdict(list)
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(ACTIONS))
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
        for event in rows:
            self.events[event.action].append(event)
        self.demands: dict[int, tuple[str | None, str | None]] = {}
        for event in self.events["demand.created"]:
            data = event.data or {}
            self.demands[event.subject_id] = (data.get("cluster"), data.get("region"))
        for demand_id, cluster, region in session.execute(
            select(Demand.id, Demand.cluster, Demand.region)
        ):
            self.demands[demand_id] = (cluster, region)
        self.providers: dict[int, tuple[set[str], str | None, str]] = {}
        self.provider_created: dict[int, dt.datetime] = {}
        for provider in session.scalars(
            select(Provider).options(selectinload(Provider.organization))
        ):
            self.providers[provider.id] = (
                set(provider.clusters or []),
                provider.organization.region,
                provider.organization.name,
            )
            self.provider_created[provider.id] = provider.created_at
        for event in self.events["provider.created"]:
            self.provider_created[event.subject_id] = event.created_at
        self.recommendations = list(
            session.execute(
                select(
                    Recommendation.demand_id, Recommendation.provider_id, Recommendation.created_at
                )
            )
        )

    def demand_matches(self, demand_id: int, filters: Filters) -> bool:
        cluster, region = self.demands.get(demand_id, (None, None))
        if cluster is None and region is None:
            return False  # nothing known about it
        return (filters.cluster is None or cluster == filters.cluster) and (
            filters.region is None or region == filters.region
        )

    def first_published(self) -> dict[int, dt.datetime]:
        first: dict[int, dt.datetime] = {}
        for event in self.events["demand.published"]:
            first.setdefault(event.subject_id, event.created_at)
        return first


def _pair_of(event: AuditEvent) -> tuple[int, int] | None:
    data = event.data or {}
    if isinstance(data.get("demand_id"), int) and isinstance(data.get("provider_id"), int):
        return data["demand_id"], data["provider_id"]
    return None


def _meeting_contracts(facts: _Facts) -> dict[tuple[int, int], tuple[dt.datetime, int]]:
    """(demand, provider) → (time of the standing signature, value) for meeting contracts."""
    state: dict[tuple, tuple[dt.datetime, int] | None] = {}
    pair_key: dict[tuple, tuple[int, int]] = {}
    events = sorted(
        facts.events["meeting.contract_signed"] + facts.events["meeting.contract_cancelled"],
        key=lambda e: (e.created_at, e.id),
    )
    for event in events:
        pair = _pair_of(event)
        if pair is None:
            continue
        key = (event.subject_id, (event.data or {}).get("pair_id"), *pair)
        pair_key[key] = pair
        if event.action == "meeting.contract_signed":
            value = (event.data or {}).get("contract_value")
            state[key] = (event.created_at, value if isinstance(value, int) else 0)
        else:
            state[key] = None
    contracts: dict[tuple[int, int], tuple[dt.datetime, int]] = {}
    for key, signed in state.items():
        if signed is not None:
            pair = pair_key[key]
            if pair not in contracts or signed[0] > contracts[pair][0]:
                contracts[pair] = signed
    return contracts


def _funnel(facts: _Facts, filters: Filters) -> Funnel:
    funnel = Funnel()
    funnel.recommended = len(
        {
            (d, p)
            for d, p, at in facts.recommendations
            if filters.covers(at) and facts.demand_matches(d, filters)
        }
    )
    for action, attribute in (("interest.created", "interest"), ("interest.accepted", "accepted")):
        pairs = {_pair_of(e) for e in facts.events[action] if filters.covers(e.created_at)}
        setattr(
            funnel, attribute, len({p for p in pairs if p and facts.demand_matches(p[0], filters)})
        )
    contracts = _meeting_contracts(facts)
    signed_demands = {demand for demand, _provider in contracts}
    in_period = {
        pair: value
        for pair, (at, value) in contracts.items()
        if filters.covers(at) and facts.demand_matches(pair[0], filters)
    }
    won = {
        e.subject_id
        for e in facts.events["demand.closed_won"]
        if filters.covers(e.created_at) and facts.demand_matches(e.subject_id, filters)
    }
    funnel.signed_at_meetings = len(in_period)
    funnel.contract_value = sum(in_period.values())
    funnel.signed = len(in_period) + len(won - signed_demands)
    return funnel


def _responsiveness(facts: _Facts, filters: Filters, now: dt.datetime) -> Responsiveness:
    result = Responsiveness()
    published = {
        d: at
        for d, at in facts.first_published().items()
        if filters.covers(at) and facts.demand_matches(d, filters)
    }
    interests: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in facts.events["interest.created"]:
        pair = _pair_of(event)
        if pair and pair[0] in published:
            interests[pair[0]].append(event)
    withdrawn = {e.subject_id: e.created_at for e in facts.events["interest.withdrawn"]}
    hours = []
    for demand_id, at in published.items():
        result.published += 1
        later = [e.created_at for e in interests[demand_id] if e.created_at >= at]
        if later:
            hours.append((min(later) - at).total_seconds() / 3600)
        window_end = at + WINDOW
        if window_end > now:
            result.pending += 1
            continue
        result.eligible += 1
        cluster = facts.demands[demand_id][0]
        qualified = set()
        for event in interests[demand_id]:
            provider_id = event.data["provider_id"]
            clusters = facts.providers.get(provider_id, (set(), None, ""))[0]
            gone = withdrawn.get(event.subject_id)
            if (
                at <= event.created_at <= window_end
                and cluster in clusters
                and not (gone is not None and gone <= window_end)
            ):
                qualified.add(provider_id)
        if len(qualified) >= QUALIFIED_THRESHOLD:
            result.reached += 1
    result.with_interest = len(hours)
    result.without_interest = result.published - len(hours)
    result.median_hours = pystats.median(hours) if hours else None
    return result


def _success(facts: _Facts, filters: Filters) -> tuple[list[ClusterSuccess], ClusterSuccess]:
    last: dict[int, str] = {}
    for action, reason in CLOSE_ACTIONS.items():
        for event in facts.events[action]:
            if filters.covers(event.created_at) and facts.demand_matches(event.subject_id, filters):
                last[event.subject_id] = reason  # a demand closes once; the last one wins anyway
    by_cluster: dict[str, ClusterSuccess] = {}
    total = ClusterSuccess("")
    for demand_id, reason in last.items():
        cluster = facts.demands[demand_id][0] or ""
        row = by_cluster.setdefault(cluster, ClusterSuccess(cluster))
        for target in (row, total):
            setattr(target, reason, getattr(target, reason) + 1)
    order = {c: i for i, c in enumerate(get_taxonomy().clusters.by_code)}
    return sorted(
        by_cluster.values(), key=lambda r: (order.get(r.cluster, len(order)), r.cluster)
    ), total


def _exposure(facts: _Facts, filters: Filters) -> Exposure:
    counts = Counter(
        p
        for d, p, at in facts.recommendations
        if filters.covers(at) and facts.demand_matches(d, filters)
    )
    population = {
        p
        for p, created in facts.provider_created.items()
        if p in facts.providers
        and created < filters.end_utc
        and (filters.cluster is None or filters.cluster in facts.providers[p][0])
    }
    population |= set(counts)
    values = [counts.get(p, 0) for p in population]
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    return Exposure(
        providers=len(population),
        total=sum(values),
        never_shown=sum(1 for v in values if v == 0),
        gini=gini(values),
        top10_share=top_share(values),
        top=[(p, facts.providers.get(p, (set(), None, f"#{p}"))[2], n) for p, n in top],
    )


def report(
    session: Session, actor: User, filters: Filters, now: dt.datetime | None = None
) -> Report:
    require_role(actor, Role.ADMIN)
    return compute(session, filters, now)


def compute(session: Session, filters: Filters, now: dt.datetime | None = None) -> Report:
    now = now or utcnow()
    facts = _Facts(session)
    months = filters.months()
    demands_by_month = dict.fromkeys(months, 0)
    by_cluster: Counter = Counter()
    by_region: Counter = Counter()
    by_month_cluster: Counter = Counter()
    by_month_region: Counter = Counter()
    for demand_id, at in facts.first_published().items():
        if filters.covers(at) and facts.demand_matches(demand_id, filters):
            cluster, region = facts.demands[demand_id]
            month = month_of(at)
            demands_by_month[month] += 1
            by_cluster[cluster] += 1
            by_region[region] += 1
            by_month_cluster[(month, cluster)] += 1
            by_month_region[(month, region)] += 1

    providers_by_month = dict.fromkeys(months, 0)
    providers_by_cluster: Counter = Counter()
    providers_by_region: Counter = Counter()
    for event in facts.events["provider.created"]:
        known = facts.providers.get(event.subject_id)
        if known is None or not filters.covers(event.created_at):
            continue
        clusters, region, _name = known
        if (filters.cluster and filters.cluster not in clusters) or (
            filters.region and region != filters.region
        ):
            continue
        providers_by_month[month_of(event.created_at)] += 1
        providers_by_region[region] += 1
        for cluster in clusters:
            if filters.cluster is None or cluster == filters.cluster:
                providers_by_cluster[cluster] += 1

    success, success_total = _success(facts, filters)
    return Report(
        filters=filters,
        months=months,
        demands_by_month=demands_by_month,
        providers_by_month=providers_by_month,
        demands_by_cluster=dict(by_cluster),
        demands_by_region=dict(by_region),
        providers_by_cluster=dict(providers_by_cluster),
        providers_by_region=dict(providers_by_region),
        demands_by_month_cluster=dict(by_month_cluster),
        demands_by_month_region=dict(by_month_region),
        funnel=_funnel(facts, filters),
        responsiveness=_responsiveness(facts, filters, now),
        success=success,
        success_total=success_total,
        exposure=_exposure(facts, filters),
    )
