"""Ranking quality on a judged set: metrics, baselines and the set's loader (not runtime code).

Metrics (per demand, then the mean over demands):

* NDCG@10 — gains ``2^g − 1``, discount ``log2(rank + 1)``; the ideal ranking is the
  demand's judged grades sorted descending (as in the judged set's README).
* MRR — ``1 / rank`` of the first *relevant* provider (grade ≥ 2, "could clearly do the
  job"), 0 when none is in the list.
* P@5 — share of the top 5 that are relevant (grade ≥ 2).

Baselines, computed on the same records:

* ``bm25``: Lucene BM25 of the demand's segmented title and description (no synonyms, no
  structure) over each provider's segmented name, description and cases.
* ``rule``: providers in the demand's cluster first, then by the number of services shared
  with the demand (ties by id).

Nothing here knows about HTTP: callers pass records, judgments and a ranking function.
Used by ``eval_matching.py``, ``train_ranker.py`` and the quality tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from search.records import CaseRecord, DemandRecord, ProviderRecord
from search.scoring import BM25_B, BM25_K1, idf, lucene_length
from search.text import Analyzer

RELEVANT_GRADE = 2


def ndcg_at(ranked: Sequence, judged: Mapping, k: int = 10) -> float:
    dcg = sum((2 ** judged.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def reciprocal_rank(ranked: Sequence, judged: Mapping, grade: int = RELEVANT_GRADE) -> float:
    for i, key in enumerate(ranked):
        if judged.get(key, 0) >= grade:
            return 1.0 / (i + 1)
    return 0.0


def precision_at(
    ranked: Sequence, judged: Mapping, k: int = 5, grade: int = RELEVANT_GRADE
) -> float:
    return sum(1 for key in ranked[:k] if judged.get(key, 0) >= grade) / k


def evaluate(
    rank: Callable[[Mapping], Sequence],
    demands: Iterable[Mapping],
    qrels: Mapping[object, Mapping[object, int]],
    k: int = 10,
) -> dict:
    """``rank(demand) → provider ids`` best first; ``qrels[demand id][provider id] = grade``."""
    per: dict = {}
    for demand in demands:
        judged = qrels.get(demand["id"], {})
        if not judged:
            continue
        ranked = list(rank(demand))[:k]
        per[demand["id"]] = {
            "ndcg@10": ndcg_at(ranked, judged, 10),
            "mrr": reciprocal_rank(ranked, judged),
            "p@5": precision_at(ranked, judged, 5),
            "ranked": ranked,
        }
    n = len(per) or 1
    return {
        "ndcg@10": sum(v["ndcg@10"] for v in per.values()) / n,
        "mrr": sum(v["mrr"] for v in per.values()) / n,
        "p@5": sum(v["p@5"] for v in per.values()) / n,
        "demands": len(per),
        "per_demand": per,
    }


def top_overlap(a: Mapping, b: Mapping, k: int = 10) -> float:
    """Mean |top-k(a) ∩ top-k(b)| / k over the demands of two ``evaluate`` results."""
    keys = [d for d in a["per_demand"] if d in b["per_demand"]]
    if not keys:
        return 0.0
    total = 0.0
    for d in keys:
        x, y = a["per_demand"][d]["ranked"][:k], b["per_demand"][d]["ranked"][:k]
        denom = max(1, min(k, max(len(x), len(y))))
        total += len(set(x) & set(y)) / denom
    return total / len(keys)


# -- baselines --------------------------------------------------------------------------
class BM25Baseline:
    """Text only: BM25 over segmented provider text (name, description, cases)."""

    def __init__(self, providers: Iterable[Mapping], analyzer: Analyzer):
        self.analyzer = analyzer
        self.tf: dict[int, dict[str, int]] = {}
        self.lengths: dict[int, int] = {}
        df: dict[str, int] = {}
        for p in providers:
            parts = [p.get("name") or "", p.get("description") or ""]
            for c in p.get("cases") or ():
                parts += [c.get("title") or "", c.get("description") or ""]
            tokens = analyzer.tokens(" ".join(parts))
            counts: dict[str, int] = {}
            for t in tokens:
                counts[t] = counts.get(t, 0) + 1
            self.tf[int(p["id"])] = counts
            self.lengths[int(p["id"])] = len(tokens)
            for t in counts:
                df[t] = df.get(t, 0) + 1
        self.df = df
        self.n = len(self.tf)
        self.avgdl = (sum(self.lengths.values()) / self.n) if self.n else 1.0

    def rank(self, demand: Mapping, k: int = 10) -> list[int]:
        terms = set(
            self.analyzer.tokens(f"{demand.get('title') or ''} {demand.get('description') or ''}")
        )
        scores = {}
        for pid, counts in self.tf.items():
            norm = BM25_K1 * (1 - BM25_B + BM25_B * lucene_length(self.lengths[pid]) / self.avgdl)
            s = 0.0
            for t in terms:
                tf = counts.get(t)
                if tf:
                    s += idf(self.df[t], self.n) * tf / (tf + norm)
            if s > 0:
                scores[pid] = s
        return [pid for pid, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


class RuleBaseline:
    """Same cluster first, then the number of shared services."""

    def __init__(self, providers: Iterable[Mapping]):
        self.providers = [
            (int(p["id"]), set(p.get("clusters") or ()), set(p.get("services") or ()))
            for p in providers
        ]

    def rank(self, demand: Mapping, k: int = 10) -> list[int]:
        cluster = demand.get("cluster")
        services = set(demand.get("services") or ())
        scored = [
            (1 if cluster in cl else 0, len(sv & services), pid) for pid, cl, sv in self.providers
        ]
        scored.sort(key=lambda t: (-t[0], -t[1], t[2]))
        return [pid for a, b, pid in scored[:k] if a or b]


# -- judged-set files -------------------------------------------------------------------
def load_judged_set(directory: str | Path) -> tuple[list[dict], list[dict], dict]:
    """Read ``providers.jsonl``, ``demands.jsonl`` and ``qrels.tsv`` into app-like records.

    Keys ``P001``/``D001`` become integer ids 1, 2, …; qrels use those ids.
    """
    directory = Path(directory)
    providers, demands = [], []
    with open(directory / "providers.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                body = json.loads(line)
                providers.append(_provider_record(body))
    with open(directory / "demands.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                body = json.loads(line)
                demands.append(_demand_record(body))
    qrels: dict[int, dict[int, int]] = {}
    with open(directory / "qrels.tsv", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3:
                qrels.setdefault(_key_id(parts[0]), {})[_key_id(parts[1])] = int(parts[2])
    return providers, demands, qrels


def _key_id(key: str) -> int:
    return int(key.lstrip("PD"))


def _provider_record(body: Mapping) -> ProviderRecord:
    return ProviderRecord(
        id=_key_id(body["key"]),
        version=1,
        name=body.get("name", ""),
        kind=body.get("kind"),
        level=body.get("level") or "none",
        region=body.get("region"),
        clusters=body.get("clusters") or [],
        services=body.get("services") or [],
        description=body.get("description", ""),
        cases=[
            CaseRecord(
                title=c.get("title", ""),
                description=c.get("description", ""),
                cluster=c.get("cluster"),
                year=c.get("year"),
            )
            for c in body.get("cases") or ()
        ],
        team_size=body.get("team_size"),
        price_min=body.get("price_min"),
        price_max=body.get("price_max"),
        verified=bool(body.get("verified")),
        certifications=[],
        created_at="2026-01-01T00:00:00",
    )


def _demand_record(body: Mapping) -> DemandRecord:
    return DemandRecord(
        id=_key_id(body["key"]),
        version=1,
        title=body.get("title", ""),
        description=body.get("description", ""),
        cluster=body.get("cluster"),
        services=body.get("services") or [],
        region=body.get("region"),
        budget_min=body.get("budget_min"),
        budget_max=body.get("budget_max"),
        deadline=body.get("deadline"),
        status=body.get("status") or "published",
        organization_name=(body.get("organization") or {}).get("name", ""),
        created_at="2026-01-01T00:00:00",
        published_at="2026-01-01T00:00:00",
    )


def inverted(qrels: Mapping[int, Mapping[int, int]]) -> dict[int, dict[int, int]]:
    """Judgments seen from the providers' side (leads): ``{provider: {demand: grade}}``."""
    out: dict[int, dict[int, int]] = {}
    for demand, judged in qrels.items():
        for provider, grade in judged.items():
            out.setdefault(provider, {})[demand] = grade
    return out
