"""Layered archives (需求档案库 / 服务能力档案库) for administrators.

Both archives are one tree: cluster tier → cluster → district → provider level (or demand
status), with a count at every node. Demands have one cluster, so their counts come from
one GROUP BY. A provider serves several clusters (a JSON list), so it counts once under
each of its clusters and once under each tier; those counts are made in Python from one
narrow query (id, clusters, district, level), which stays cheap at tens of thousands of
providers and works the same on SQLite and PostgreSQL.

A node is addressed by a ``Path`` (tier, cluster, region, leaf); the records under any
node can be listed (paged) or exported with the same path and filters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Demand, DemandStatus, Organization, Provider, Role, User
from ..taxonomy import get_taxonomy
from .access import require_role

DEMANDS, PROVIDERS = "demands", "providers"
# Tier names are not in taxonomy.json (only their codes, in enums.cluster_tier).
TIER_LABELS = {
    "trillion": _l("万亿级主导产业集群"),
    "pillar-500b": _l("五千亿级支柱产业集群"),
    "featured-100b": _l("千亿级特色优势产业集群"),
    "new-star": _l("“新星”产业集群"),
    "other": _l("其他"),
}
LEVELS = ("tier", "cluster", "region", "leaf")


@dataclass(frozen=True)
class Filters:
    verified: bool = False  # only verified organisations
    status: str | None = None  # demands: one status
    kind: str | None = None  # providers: one provider kind
    since: dt.date | None = None  # created on or after
    until: dt.date | None = None  # created on or before


@dataclass(frozen=True)
class Path:
    tier: str | None = None
    cluster: str | None = None
    region: str | None = None
    leaf: str | None = None  # provider level, or demand status

    def params(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("tier", self.tier),
                ("cluster", self.cluster),
                ("region", self.region),
                ("leaf", self.leaf),
            )
            if v
        }


@dataclass
class Node:
    level: str  # root | tier | cluster | region | leaf
    code: str
    count: int
    path: Path
    children: list[Node] = field(default_factory=list)


def tiers() -> list[str]:
    return list(get_taxonomy().raw["enums"]["cluster_tier"])


def tier_of(cluster: str) -> str:
    item = get_taxonomy().clusters.by_code.get(cluster)
    return item["tier"] if item else "other"


def clusters_in(tier: str) -> list[str]:
    return [item["code"] for item in get_taxonomy().clusters.items if item["tier"] == tier]


def tier_label(code: str) -> str:
    return str(TIER_LABELS.get(code, code))


def normalise_path(path: Path) -> Path:
    """Layers from the top down: unknown codes, and parts below a missing one, are dropped;
    a cluster decides its tier."""
    taxonomy = get_taxonomy()
    tier = path.tier if path.tier in tiers() else None
    cluster = path.cluster if path.cluster in taxonomy.clusters else None
    if cluster:
        tier = tier_of(cluster)
    region = path.region if cluster and path.region in taxonomy.regions else None
    leaf = (
        path.leaf
        if region and path.leaf in (*DemandStatus.ALL, *taxonomy.provider_levels.by_code)
        else None
    )
    return Path(tier, cluster, region, leaf)


# --- counting ---------------------------------------------------------------------------------


def _build(
    counts: dict[tuple[str, str, str], Counter],
    tier_totals: Counter,
    cluster_totals: Counter,
    total: int,
    leaf_order: list[str],
) -> Node:
    """counts[(cluster, region)] → Counter(leaf → n); taxonomy order, empty nodes left out."""
    taxonomy = get_taxonomy()
    region_order = {code: i for i, code in enumerate(taxonomy.regions.by_code)}
    root = Node("root", "", total, Path())
    for tier in tiers():
        if not tier_totals.get(tier):
            continue
        tier_node = Node("tier", tier, tier_totals[tier], Path(tier))
        for cluster in clusters_in(tier):
            if not cluster_totals.get(cluster):
                continue
            cluster_node = Node("cluster", cluster, cluster_totals[cluster], Path(tier, cluster))
            regions = sorted(
                (r for (c, r) in counts if c == cluster), key=lambda r: region_order.get(r, 999)
            )
            for region in regions:
                leaves = counts[(cluster, region)]
                region_node = Node(
                    "region", region, sum(leaves.values()), Path(tier, cluster, region)
                )
                region_node.children = [
                    Node("leaf", leaf, leaves[leaf], Path(tier, cluster, region, leaf))
                    for leaf in leaf_order
                    if leaves.get(leaf)
                ]
                cluster_node.children.append(region_node)
            tier_node.children.append(cluster_node)
        root.children.append(tier_node)
    return root


def _demand_statement(columns, filters: Filters) -> Select:
    statement = (
        select(*columns)
        .select_from(Demand)
        .join(Organization, Demand.organization_id == Organization.id)
    )
    if filters.verified:
        statement = statement.where(Organization.verified.is_(True))
    if filters.status in DemandStatus.ALL:
        statement = statement.where(Demand.status == filters.status)
    return _period(statement, Demand.created_at, filters)


def _period(statement: Select, column, filters: Filters) -> Select:
    if filters.since:
        statement = statement.where(column >= dt.datetime.combine(filters.since, dt.time()))
    if filters.until:
        statement = statement.where(
            column < dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time())
        )
    return statement


def demand_tree(session: Session, actor: User, filters: Filters = Filters()) -> Node:
    require_role(actor, Role.ADMIN)
    statement = _demand_statement(
        (Demand.cluster, Demand.region, Demand.status, func.count(Demand.id)), filters
    )
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    tier_totals, cluster_totals, total = Counter(), Counter(), 0
    for cluster, region, status, n in session.execute(
        statement.group_by(Demand.cluster, Demand.region, Demand.status)
    ):
        counts[(cluster, region)][status] += n
        cluster_totals[cluster] += n
        tier_totals[tier_of(cluster)] += n
        total += n
    return _build(counts, tier_totals, cluster_totals, total, list(DemandStatus.ALL))


def _provider_statement(columns, filters: Filters) -> Select:
    statement = (
        select(*columns)
        .select_from(Provider)
        .join(Organization, Provider.organization_id == Organization.id)
    )
    if filters.verified:
        statement = statement.where(Organization.verified.is_(True))
    if filters.kind:
        statement = statement.where(Organization.kind == filters.kind)
    return _period(statement, Provider.created_at, filters)


def _provider_rows(session: Session, filters: Filters):
    return session.execute(
        _provider_statement(
            (
                Provider.id,
                Provider.clusters,
                Organization.region,
                Organization.level,
                Organization.name,
            ),
            filters,
        )
    ).all()


def provider_tree(session: Session, actor: User, filters: Filters = Filters()) -> Node:
    require_role(actor, Role.ADMIN)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    tier_totals, cluster_totals, total = Counter(), Counter(), 0
    for _id, clusters, region, level, _name in _provider_rows(session, filters):
        total += 1
        own = list(dict.fromkeys(clusters or []))
        for cluster in own:
            counts[(cluster, region)][level or "none"] += 1
            cluster_totals[cluster] += 1
        for tier in {tier_of(c) for c in own}:
            tier_totals[tier] += 1
    levels = sorted(
        get_taxonomy().provider_levels.by_code, key=lambda c: -get_taxonomy().level_rank(c)
    )
    return _build(counts, tier_totals, cluster_totals, total, levels)


def trail(root: Node, path: Path) -> list[Node]:
    """The nodes from the tier down to ``path``, as far as they have records."""
    nodes, node = [], root
    for code in (path.tier, path.cluster, path.region, path.leaf):
        if code is None:
            break
        node = next((child for child in node.children if child.code == code), None)
        if node is None:
            break
        nodes.append(node)
    return nodes


def find(root: Node, path: Path) -> Node | None:
    """The node at ``path`` (None when it has no records under the current filters)."""
    depth = sum(1 for code in (path.tier, path.cluster, path.region, path.leaf) if code)
    nodes = trail(root, path)
    return root if depth == 0 else (nodes[-1] if len(nodes) == depth else None)


# --- records at a node -------------------------------------------------------------------------


def _demands_at(path: Path, filters: Filters) -> Select:
    statement = _demand_statement((Demand,), filters)
    if path.cluster:
        statement = statement.where(Demand.cluster == path.cluster)
    elif path.tier:
        statement = statement.where(Demand.cluster.in_(clusters_in(path.tier)))
    if path.region:
        statement = statement.where(Demand.region == path.region)
    if path.leaf:
        statement = statement.where(Demand.status == path.leaf)
    return statement


def demand_records(
    session: Session,
    actor: User,
    path: Path,
    filters: Filters = Filters(),
    page: int = 1,
    per_page: int | None = 50,
) -> tuple[list[Demand], int]:
    """Demands under a node, newest first; ``per_page=None`` for all of them (exports)."""
    require_role(actor, Role.ADMIN)
    statement = _demands_at(path, filters)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    statement = statement.options(selectinload(Demand.organization)).order_by(
        Demand.created_at.desc(), Demand.id.desc()
    )
    if per_page:
        statement = statement.limit(per_page).offset((max(page, 1) - 1) * per_page)
    return list(session.scalars(statement)), total


def _provider_ids_at(session: Session, path: Path, filters: Filters) -> list[int]:
    taxonomy = get_taxonomy()
    wanted = {path.cluster} if path.cluster else set(clusters_in(path.tier)) if path.tier else None
    picked = []
    for provider_id, clusters, region, level, name in _provider_rows(session, filters):
        if wanted is not None and not wanted.intersection(clusters or []):
            continue
        if path.region and region != path.region:
            continue
        if path.leaf and (level or "none") != path.leaf:
            continue
        picked.append((-taxonomy.level_rank(level), name, provider_id))
    return [provider_id for *_, provider_id in sorted(picked)]


def provider_records(
    session: Session,
    actor: User,
    path: Path,
    filters: Filters = Filters(),
    page: int = 1,
    per_page: int | None = 50,
) -> tuple[list[Provider], int]:
    """Providers under a node, highest level first, then by name."""
    require_role(actor, Role.ADMIN)
    ids = _provider_ids_at(session, path, filters)
    shown = ids[(max(page, 1) - 1) * per_page : max(page, 1) * per_page] if per_page else ids
    loaded = {
        p.id: p
        for chunk in range(0, len(shown), 500)
        for p in session.scalars(
            select(Provider)
            .where(Provider.id.in_(shown[chunk : chunk + 500]))
            .options(selectinload(Provider.organization))
        )
    }
    return [loaded[i] for i in shown if i in loaded], len(ids)


def flatten(root: Node) -> list[tuple[Node, ...]]:
    """Every node as its chain from the tier down (for exporting the counts)."""
    rows: list[tuple[Node, ...]] = []

    def walk(node: Node, chain: tuple[Node, ...]) -> None:
        for child in node.children:
            rows.append((*chain, child))
            walk(child, (*chain, child))

    walk(root, ())
    return rows
