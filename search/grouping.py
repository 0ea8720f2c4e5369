"""Common needs (集群共性需求): groups of similar demands of one cluster, found with the design
matcher's own signals rather than a second scoring system.

Two demands are alike as the matcher would weigh them: its *meaning* signal, (1 + cos) / 2 of
their word vectors (``scoring.meaning_vector``; 0 below the matcher's ``SIMILAR_FLOOR``), and
its *service* signal, the share of one
demand's services the other names (taken both ways and averaged), combined with the learned
weights of those two signals (``scoring.MODEL_FILE``, a demand's direction) into
0..1. Demands of one cluster are grouped when every pair of a group reaches the threshold
(complete link, most alike pairs first), one demand per organisation, since a common need is
one that several enterprises share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .scoring import SIMILAR_FLOOR, meaning_vector, weights
from .text import get_analyzer

DEFAULT_THRESHOLD = 0.75
SIGNALS = ("meaning", "service")
DIRECTION = "providers"  # the weights as learned for a demand's side (providers for a demand)


@dataclass(frozen=True)
class Group:
    cluster: str
    demand_ids: tuple[int, ...]  # one per organisation, by id
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
        learned = weights(DIRECTION)
        self.weights = {name: max(learned[name], 0.0) for name in SIGNALS}
        self.records = {r["id"]: r for r in records}
        self.vectors = {
            r["id"]: meaning_vector(analyzer, r.get("title"), r.get("description")) for r in records
        }

    def __call__(self, a: int, b: int) -> float:
        va, vb = self.vectors[a], self.vectors[b]
        meaning = 0.0 if va is None or vb is None else (1 + float(np.dot(va, vb))) / 2
        if meaning < SIMILAR_FLOOR:  # as the matcher's similarity clause: not alike enough
            meaning = 0.0
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
    groups = [
        _group(cluster, members, similar)
        for cluster, records_of_cluster in by_cluster.items()
        for members in _complete_link(records_of_cluster, similar, threshold)
    ]
    return sorted(groups, key=lambda g: (-g.similarity, g.demand_ids))


def _complete_link(members: list[Mapping], similar: Similarity, threshold: float):
    """Most alike pairs first: a demand joins a group only when it is alike *every* member
    and its organisation is not in the group yet (so groups do not chain unlike demands
    together through intermediaries), and two groups never merge."""
    pairs = sorted(
        (
            (similar(a["id"], b["id"]), a, b)
            for a, b in combinations(members, 2)
            if a["organization_id"] != b["organization_id"]
        ),
        key=lambda p: (-p[0], p[1]["id"], p[2]["id"]),
    )
    group_of: dict[int, list[Mapping]] = {}
    groups: list[list[Mapping]] = []
    for value, a, b in pairs:
        if value < threshold:
            break
        ga, gb = group_of.get(a["id"]), group_of.get(b["id"])
        if ga is None and gb is None:
            group = [a, b]
            groups.append(group)
            group_of[a["id"]] = group_of[b["id"]] = group
            continue
        if (ga is None) == (gb is None):
            continue  # both placed already
        group, newcomer = (ga, b) if gb is None else (gb, a)
        fits = all(
            m["organization_id"] != newcomer["organization_id"]
            and similar(m["id"], newcomer["id"]) >= threshold
            for m in group
        )
        if fits:
            group.append(newcomer)
            group_of[newcomer["id"]] = group
    return groups


def _group(cluster: str, members: list[Mapping], similar: Similarity) -> Group:
    members = sorted(members, key=lambda m: m["id"])
    pairs = [similar(a["id"], b["id"]) for a, b in combinations(members, 2)]
    named: dict[str, int] = defaultdict(int)
    for member in members:
        for code in dict.fromkeys(member.get("services") or ()):
            named[code] += 1
    return Group(
        cluster=cluster,
        demand_ids=tuple(m["id"] for m in members),
        similarity=round(sum(pairs) / len(pairs), 4),
        services=tuple(code for code, n in named.items() if n >= 2),
    )
