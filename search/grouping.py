"""Common needs (集群共性需求): groups of similar demands of one cluster, found with the design
matcher's own signals rather than a second scoring system.

Two demands are alike as the matcher would weigh them: its *meaning* signal, (1 + cos) / 2 of
their word vectors (``scoring.meaning_vector``), and its *service* signal, the share of one
demand's services the other names (taken both ways and averaged), combined with the learned
weights of those two signals (``search/data/ranker-v1.json``) into 0..1. Demands of one
cluster whose similarity reaches the threshold are linked; a group is a connected set of
linked demands from at least two organisations, keeping one demand per organisation (the one
most alike the others), since a common need is one that several enterprises share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .scoring import meaning_vector, weights
from .text import get_analyzer

DEFAULT_THRESHOLD = 0.85
SIGNALS = ("meaning", "service")


@dataclass(frozen=True)
class Group:
    cluster: str
    demand_ids: tuple[int, ...]  # one per organisation, in the order given
    similarity: float  # mean over the group's pairs
    services: tuple[str, ...]  # the services at least two members name


def _service_share(a: Sequence[str], b: Sequence[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(set(a) & set(b))
    return (common / len(set(a)) + common / len(set(b))) / 2


class Similarity:
    """Pairwise similarity of demand records (``id``, ``title``, ``description``,
    ``services``), their vectors computed once."""

    def __init__(self, records: Sequence[Mapping], taxonomy: Mapping):
        analyzer = get_analyzer(taxonomy)
        learned = weights()
        self.weights = {name: max(learned[name], 0.0) for name in SIGNALS}
        self.records = {r["id"]: r for r in records}
        self.vectors = {
            r["id"]: meaning_vector(analyzer, r.get("title"), r.get("description")) for r in records
        }

    def __call__(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        meaning = 0.5 if va is None or vb is None else (1 + float(np.dot(va, vb))) / 2
        service = _service_share(
            self.records[a].get("services") or (), self.records[b].get("services") or ()
        )
        total = sum(self.weights.values()) or 1.0
        value = (self.weights["meaning"] * meaning + self.weights["service"] * service) / total
        return round(value, 4)


def find_groups(
    records: Sequence[Mapping], taxonomy: Mapping, threshold: float = DEFAULT_THRESHOLD
) -> list[Group]:
    """Groups of alike demands (records also carry ``cluster`` and ``organization_id``),
    most alike first."""
    similar = Similarity(records, taxonomy)
    by_cluster: dict[str, list[Mapping]] = defaultdict(list)
    for record in records:
        by_cluster[record["cluster"]].append(record)
    groups = []
    for cluster, members in by_cluster.items():
        for component in _components(members, similar, threshold):
            group = _one_per_organisation(cluster, component, similar)
            if group is not None:
                groups.append(group)
    return sorted(groups, key=lambda g: (-g.similarity, g.demand_ids))


def _components(members: list[Mapping], similar: Similarity, threshold: float):
    """Connected sets of demands of different organisations linked at ``threshold``."""
    parent = {m["id"]: m["id"] for m in members}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in combinations(members, 2):
        if a["organization_id"] != b["organization_id"] and similar(a["id"], b["id"]) >= threshold:
            parent[root(a["id"])] = root(b["id"])
    sets: dict[int, list[Mapping]] = defaultdict(list)
    for member in members:
        sets[root(member["id"])].append(member)
    return [s for s in sets.values() if len(s) > 1]


def _one_per_organisation(
    cluster: str, component: list[Mapping], similar: Similarity
) -> Group | None:
    def closeness(m: Mapping) -> float:
        return sum(similar(m["id"], o["id"]) for o in component if o is not m)

    best: dict[int, Mapping] = {}
    for member in component:
        kept = best.get(member["organization_id"])
        if kept is None or closeness(member) > closeness(kept):
            best[member["organization_id"]] = member
    kept = [m for m in component if best[m["organization_id"]] is m]
    if len(kept) < 2:
        return None
    pairs = [similar(a["id"], b["id"]) for a, b in combinations(kept, 2)]
    named: dict[str, int] = defaultdict(int)
    for member in kept:
        for code in dict.fromkeys(member.get("services") or ()):
            named[code] += 1
    return Group(
        cluster=cluster,
        demand_ids=tuple(m["id"] for m in kept),
        similarity=round(sum(pairs) / len(pairs), 4),
        services=tuple(code for code, n in named.items() if n >= 2),
    )
