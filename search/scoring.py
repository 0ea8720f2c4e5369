"""The matcher: ONE specification of signals and weights, executed by both backends.

How a provider is scored for a demand (``provider_spec``) — points, before normalisation:

=========  ======  ===============================================================
signal     points  fires when
=========  ======  ===============================================================
cluster    3.0     the provider lists the demand's industry cluster
           1.0     …or only a related cluster (taxonomy: same Yongchuan industry group)
service    2.5     × share of the demand's services the provider offers (the chain)
text       3.0     × text relevance of the provider's name + description (see below)
case       0.6     a portfolio case in the demand's cluster
           1.0     × text relevance of the portfolio cases
budget     1.0     the provider's price range overlaps the demand's budget
           0.4     …or its price floor is above the budget but within 2×
activity   0.4     team size fits the project scale (budget)
region     0.5     same district as the demand; 0.2 elsewhere in Chongqing
level      0.5     national; 0.35 municipal; 0.15 district
verified   0.2     verified by the platform
=========  ======  ===============================================================

Multipliers (bounded, applied to the sum):

* price floor more than 2× the demand's budget → × 0.6;
* a tiny team for a large budget (≤ 3 people for ≥ 300k CNY, ≤ 6 for ≥ 1M) → × 0.75;
* **exposure rule**: a provider recommended at least 20 times that answered fewer than
  10 % of them → × 0.7, so a provider that never answers cannot crowd out the others for
  ever. A new provider (never recommended) has an answer rate of 1 and is not penalised.

Text relevance is BM25 (Elasticsearch's formula, k1 = 1.2, b = 0.75) of the weighted query terms
(the demand's title ×1.5 and description ×1.0 tokens, taxonomy synonyms at half weight)
divided by the query's total weighted IDF, i.e. the share of the query's information the
document matches, saturated by term frequency, so keyword stuffing gains little. Terms in
no document, or in more than half the documents, are ignored. ``TEXT_GAIN`` scales that
share so a strong match is worth about the signal's points.

Only providers with some evidence are candidates: an *evidence* clause (cluster, related
cluster, service, case cluster, text, case text) fires; a text clause counts as evidence
through its *informative* terms only (see below). The score returned to callers is
``points × multipliers / max_points`` (max over the signals that apply to this query),
clamped to 1: non-increasing down the list, ties broken by id.

Evaluation in two phases, so that a query costs little more than its rare terms' postings
on a large index:

1. The query's text terms split into *informative* ones, in at most
   ``max(INFORMATIVE_MIN_DOCS, INFORMATIVE_SHARE × documents)`` documents, and *common*
   ones (the rest of the kept terms, up to ``MAX_COMMON_SHARE``). On an index of up to
   ``2 × INFORMATIVE_MIN_DOCS`` documents every kept term is informative.
2. First phase, over the candidates: every clause, text clauses with their informative
   terms only, times the multipliers.
3. The ``RESCORE_WINDOW`` best documents of the first phase get the common terms' share of
   the text clauses (same per-term weights and normaliser, times the same multipliers),
   so their score is the full score; the top k is taken from them.

Scores only grow in the second phase, so the window holds the top k. A document outside
the window would need more than the window's worth of better first-phase scores to be
missed, and the common terms' share is small (they are the low-IDF ones).

Leads for a provider (``lead_spec``) use the same signals in reverse over published
demands: cluster (a demand in one of the provider's clusters; case clusters count as
``case``), the share of the demand's services the provider offers, text, budget (the
demand's budget against the provider's price range), district, and capacity.

Both backends execute the spec: the embedded backend evaluates the conditions in Python,
the Elasticsearch backend translates them to ``bool``/``constant_score``/``function_score``
queries whose ``_name`` is the clause name, so each hit says which clauses fired.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import Reason
from .text import Analyzer

WEIGHTS = {
    "cluster": 3.0,
    "cluster_related": 1.0,
    "service": 2.5,
    "text": 3.0,
    "case_cluster": 0.6,
    "case_text": 1.0,
    "budget": 1.0,
    "budget_near": 0.4,
    "activity": 0.4,
    "region": 0.5,
    "region_chongqing": 0.2,
    "level_national": 0.5,
    "level_municipal": 0.35,
    "level_district": 0.15,
    "verified": 0.2,
}
TEXT_GAIN = 3.0
MULTIPLIERS = {
    "price_floor_far": 0.6,
    "small_team": 0.75,
    "exposure": 0.7,
}
EXPOSURE_MIN_RECOMMENDED = 20
EXPOSURE_MIN_ANSWER_RATE = 0.1
TITLE_WEIGHT = 1.5
SYNONYM_WEIGHT = 0.5
TEXT_REASON_MIN = 0.25  # text/case-text reason shown from this share of its points
MAX_COMMON_SHARE = 0.5  # query terms in more than this share of documents are ignored
INFORMATIVE_SHARE = 0.05  # …in at most this share (or INFORMATIVE_MIN_DOCS) are informative
INFORMATIVE_MIN_DOCS = 1_000
RESCORE_WINDOW = 500  # documents given the common terms' share (second phase)
COMMON_SUFFIX = "~common"  # clause name of a text clause's second-phase part
BM25_K1 = 1.2
BM25_B = 0.75
REASON_ORDER = (
    "cluster",
    "service",
    "case",
    "text",
    "budget",
    "region",
    "level",
    "verified",
    "activity",
)


# -- conditions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    field: str
    value: object


@dataclass(frozen=True)
class Terms:
    field: str
    values: tuple


@dataclass(frozen=True)
class Range:
    field: str
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class All:
    conds: tuple


@dataclass(frozen=True)
class Any:
    conds: tuple


@dataclass(frozen=True)
class Not:
    cond: object


@dataclass(frozen=True)
class Text:
    """Scored: normalised BM25 of weighted ``terms`` on a text field (0..1)."""

    field: str
    terms: tuple  # ((term, weight), ...)


@dataclass(frozen=True)
class Coverage:
    """Scored: |doc[field] ∩ values| × doc[norm_field] (share of the doc's codes covered)."""

    field: str
    values: tuple
    norm_field: str


@dataclass
class Clause:
    name: str  # unique, used as Elasticsearch _name
    code: str  # reason code
    weight: float
    cond: object
    zh: str = ""
    en: str = ""


@dataclass
class Multiplier:
    name: str
    factor: float
    cond: object


@dataclass
class Spec:
    index: str
    clauses: list[Clause]
    multipliers: list[Multiplier]
    evidence: frozenset  # names of the clauses that make a document a candidate
    filters: list = field(default_factory=list)
    max_points: float = 1.0
    case_cluster: str | None = None
    case_terms: frozenset = frozenset()
    kind: str = "providers"  # providers | leads
    context: dict = field(default_factory=dict)
    window: int = RESCORE_WINDOW

    def window_for(self, k: int) -> int:
        """Documents given the second phase for a top ``k`` (ties at k sorted by id)."""
        return max(self.window, 2 * k)

    def normalise(self, points: float) -> float:
        if self.max_points <= 0:
            return 0.0
        return max(0.0, min(1.0, points / self.max_points))


# -- taxonomy helpers -------------------------------------------------------------------
class Labels:
    def __init__(self, taxonomy: Mapping):
        self.items = {}
        for section in ("clusters", "services", "regions", "provider_kinds", "provider_levels"):
            self.items[section] = {it["code"]: it for it in taxonomy.get(section, ())}
        self.related: dict[str, set[str]] = {}
        for group in taxonomy.get("yongchuan_industries", ()):
            codes = [c for c in group.get("maps_to") or () if c in self.items["clusters"]]
            for c in codes:
                self.related.setdefault(c, set()).update(x for x in codes if x != c)
        self.chongqing = tuple(
            sorted(code for code, it in self.items["regions"].items() if it.get("type") != "other")
        )

    def zh(self, section: str, code) -> str:
        item = self.items[section].get(code)
        return item.get("zh", code) if item else str(code)

    def en(self, section: str, code) -> str:
        item = self.items[section].get(code)
        return item.get("en", code) if item else str(code)

    def is_chongqing(self, region) -> bool:
        return (
            region in self.items["regions"] and self.items["regions"][region].get("type") != "other"
        )


def query_terms(analyzer: Analyzer, title: str | None, body: str | None) -> tuple:
    weights = analyzer.weighted_terms(
        [(title, TITLE_WEIGHT), (body, 1.0)], synonym_weight=SYNONYM_WEIGHT
    )
    return tuple(sorted(weights.items()))


def _budget_scale(budget_min, budget_max) -> int | None:
    if budget_max is not None:
        return budget_max
    return budget_min


def team_needed(scale: int | None) -> int:
    """Team size that fits a project of this budget."""
    if scale is None:
        return 2
    if scale >= 1_000_000:
        return 15
    if scale >= 300_000:
        return 6
    return 2


def team_too_small(scale: int | None) -> int | None:
    """At or below this many people a team is weak for the project (None: never)."""
    if scale is None:
        return None
    if scale >= 1_000_000:
        return 6
    if scale >= 300_000:
        return 3
    return None


# -- the specification ------------------------------------------------------------------
def provider_spec(demand: Mapping, taxonomy: Mapping, analyzer: Analyzer, exclude=()) -> Spec:
    """Demand record → how to score provider documents."""
    lab = Labels(taxonomy)
    W = WEIGHTS
    clauses: list[Clause] = []
    evidence: set[str] = set()
    maxima: dict[str, float] = {}

    def add(clause: Clause, max_for_code: float, is_evidence: bool = False) -> None:
        clauses.append(clause)
        maxima[clause.code] = max(maxima.get(clause.code, 0.0), max_for_code)
        if is_evidence:
            evidence.add(clause.name)

    cluster = demand.get("cluster")
    if cluster:
        add(
            Clause(
                "cluster",
                "cluster",
                W["cluster"],
                Term("clusters", cluster),
                f"同属{lab.zh('clusters', cluster)}集群",
                f"Same cluster: {lab.en('clusters', cluster)}",
            ),
            W["cluster"],
            True,
        )
        related = sorted(lab.related.get(cluster, ()))
        if related:
            cond = All((Terms("clusters", tuple(related)), Not(Term("clusters", cluster))))
            add(
                Clause(
                    "cluster_related",
                    "cluster",
                    W["cluster_related"],
                    cond,
                    "相关集群：" + "、".join(lab.zh("clusters", c) for c in related),
                    "Related cluster: " + ", ".join(lab.en("clusters", c) for c in related),
                ),
                W["cluster"],
                True,
            )
    services = [s for s in dict.fromkeys(demand.get("services") or ()) if s]
    if services:
        per = W["service"] / len(services)
        for s in services:
            add(
                Clause(
                    f"service:{s}",
                    "service",
                    per,
                    Term("services", s),
                    lab.zh("services", s),
                    lab.en("services", s),
                ),
                W["service"],
                True,
            )
    terms = query_terms(analyzer, demand.get("title"), demand.get("description"))
    if terms:
        add(
            Clause(
                "text",
                "text",
                W["text"] * TEXT_GAIN,
                Text("text", terms),
                "描述与需求相关",
                "Description matches the demand",
            ),
            W["text"],
            True,
        )
        add(
            Clause(
                "case_text",
                "case",
                W["case_text"] * TEXT_GAIN,
                Text("case_text", terms),
                "相关案例",
                "Relevant case",
            ),
            W["case_cluster"] + W["case_text"],
            True,
        )
    if cluster:
        add(
            Clause(
                "case_cluster",
                "case",
                W["case_cluster"],
                Term("case_clusters", cluster),
                "相关案例",
                "Relevant case",
            ),
            W["case_cluster"] + W["case_text"],
            True,
        )

    bmin, bmax = demand.get("budget_min"), demand.get("budget_max")
    multipliers: list[Multiplier] = []
    if bmin is not None or bmax is not None:
        fit = []
        if bmax is not None:
            fit.append(Range("price_min", lte=bmax))
        if bmin is not None:
            fit.append(Range("price_max", gte=bmin))
        add(
            Clause(
                "budget",
                "budget",
                W["budget"],
                All(tuple(fit)),
                "报价区间与预算匹配",
                "Price range fits the budget",
            ),
            W["budget"],
        )
        if bmax is not None:
            add(
                Clause(
                    "budget_near",
                    "budget",
                    W["budget_near"],
                    Range("price_min", gt=bmax, lte=2 * bmax),
                    "报价起点略高于预算",
                    "Price floor slightly above the budget",
                ),
                W["budget"],
            )
            multipliers.append(
                Multiplier(
                    "price_floor_far",
                    MULTIPLIERS["price_floor_far"],
                    Range("price_min", gt=2 * bmax),
                )
            )
    scale = _budget_scale(bmin, bmax)
    add(
        Clause(
            "activity",
            "activity",
            W["activity"],
            Range("team_size", gte=team_needed(scale)),
            "团队规模与项目体量相称",
            "Team size fits the project scale",
        ),
        W["activity"],
    )
    small = team_too_small(scale)
    if small is not None:
        multipliers.append(
            Multiplier("small_team", MULTIPLIERS["small_team"], Range("team_size", lte=small))
        )
    region = demand.get("region")
    if region and lab.is_chongqing(region):
        add(
            Clause(
                "region",
                "region",
                W["region"],
                Term("region", region),
                f"{lab.zh('regions', region)}本地",
                f"Local to {lab.en('regions', region)}",
            ),
            W["region"],
        )
        others = tuple(r for r in lab.chongqing if r != region)
        add(
            Clause(
                "region_chongqing",
                "region",
                W["region_chongqing"],
                Terms("region", others),
                "重庆市内",
                "Within Chongqing",
            ),
            W["region"],
        )
    for level in ("national", "municipal", "district"):
        add(
            Clause(
                f"level_{level}",
                "level",
                W[f"level_{level}"],
                Term("level", level),
                lab.zh("provider_levels", level),
                lab.en("provider_levels", level),
            ),
            W["level_national"],
        )
    add(
        Clause(
            "verified",
            "verified",
            W["verified"],
            Term("verified", True),
            "平台认证",
            "Verified by the platform",
        ),
        W["verified"],
    )
    multipliers.append(
        Multiplier(
            "exposure",
            MULTIPLIERS["exposure"],
            All(
                (
                    Range("recommended_count", gte=EXPOSURE_MIN_RECOMMENDED),
                    Range("answer_rate", lt=EXPOSURE_MIN_ANSWER_RATE),
                )
            ),
        )
    )
    filters = []
    if exclude:
        filters.append(Not(Terms("id", tuple(sorted(int(i) for i in exclude)))))
    return Spec(
        index="providers",
        clauses=clauses,
        multipliers=multipliers,
        evidence=frozenset(evidence),
        filters=filters,
        max_points=sum(maxima.values()),
        case_cluster=cluster,
        case_terms=frozenset(t for t, _ in terms),
        kind="providers",
        context={"labels": lab},
    )


def lead_spec(provider: Mapping, taxonomy: Mapping, analyzer: Analyzer, exclude=()) -> Spec:
    """Provider record → how to score published demand documents."""
    lab = Labels(taxonomy)
    W = WEIGHTS
    clauses: list[Clause] = []
    evidence: set[str] = set()
    maxima: dict[str, float] = {}

    def add(clause: Clause, max_for_code: float, is_evidence: bool = False) -> None:
        clauses.append(clause)
        maxima[clause.code] = max(maxima.get(clause.code, 0.0), max_for_code)
        if is_evidence:
            evidence.add(clause.name)

    clusters = tuple(dict.fromkeys(c for c in provider.get("clusters") or () if c))
    case_clusters = tuple(
        dict.fromkeys(c.get("cluster") for c in provider.get("cases") or () if c.get("cluster"))
    )
    if clusters:
        add(
            Clause(
                "cluster",
                "cluster",
                W["cluster"],
                Terms("cluster", clusters),
                "同属{cluster}集群",
                "Same cluster: {cluster}",
            ),
            W["cluster"],
            True,
        )
        related = tuple(
            sorted({r for c in clusters for r in lab.related.get(c, ())} - set(clusters))
        )
        if related:
            add(
                Clause(
                    "cluster_related",
                    "cluster",
                    W["cluster_related"],
                    Terms("cluster", related),
                    "相关集群：{cluster}",
                    "Related cluster: {cluster}",
                ),
                W["cluster"],
                True,
            )
    if case_clusters:
        add(
            Clause(
                "case_cluster",
                "case",
                W["case_cluster"],
                Terms("cluster", case_clusters),
                "相关案例",
                "Relevant case",
            ),
            W["case_cluster"] + W["case_text"],
            True,
        )
    services = tuple(dict.fromkeys(s for s in provider.get("services") or () if s))
    if services:
        add(
            Clause(
                "service",
                "service",
                W["service"],
                Coverage("services", services, "service_norm"),
                "需要{services}",
                "Needs {services}",
            ),
            W["service"],
            True,
        )
    body = " ".join(
        [provider.get("description") or ""]
        + [
            f"{c.get('title') or ''} {c.get('description') or ''}"
            for c in provider.get("cases") or ()
        ]
    )
    terms = query_terms(analyzer, provider.get("name"), body)
    if terms:
        add(
            Clause(
                "text",
                "text",
                W["text"] * TEXT_GAIN,
                Text("text", terms),
                "需求描述与业务相关",
                "Description matches your profile",
            ),
            W["text"],
            True,
        )
    pmin, pmax = provider.get("price_min"), provider.get("price_max")
    multipliers: list[Multiplier] = []
    if pmin is not None or pmax is not None:
        fit = []
        if pmin is not None:
            fit.append(Range("budget_max", gte=pmin))
        if pmax is not None:
            fit.append(Range("budget_min", lte=pmax))
        add(
            Clause(
                "budget",
                "budget",
                W["budget"],
                All(tuple(fit)),
                "预算与报价区间匹配",
                "Budget fits your price range",
            ),
            W["budget"],
        )
        if pmin is not None:
            add(
                Clause(
                    "budget_near",
                    "budget",
                    W["budget_near"],
                    Range("budget_max", gte=pmin / 2, lt=pmin),
                    "预算略低于报价起点",
                    "Budget slightly below your price floor",
                ),
                W["budget"],
            )
            multipliers.append(
                Multiplier(
                    "price_floor_far",
                    MULTIPLIERS["price_floor_far"],
                    Range("budget_max", lt=pmin / 2),
                )
            )
    team = provider.get("team_size")
    if team is not None:
        # Largest budget scale this team fits (inverse of team_needed / team_too_small).
        if team >= 15:
            fits = Range("budget_sort", gte=0)
        elif team >= 6:
            fits = Range("budget_sort", lt=1_000_000)
        elif team >= 2:
            fits = Range("budget_sort", lt=300_000)
        else:
            fits = Range("budget_sort", lt=0)
        add(
            Clause(
                "activity",
                "activity",
                W["activity"],
                fits,
                "项目体量与团队规模相称",
                "Project scale fits your team",
            ),
            W["activity"],
        )
        if team <= 3:
            multipliers.append(
                Multiplier(
                    "small_team", MULTIPLIERS["small_team"], Range("budget_sort", gte=300_000)
                )
            )
        elif team <= 6:
            multipliers.append(
                Multiplier(
                    "small_team", MULTIPLIERS["small_team"], Range("budget_sort", gte=1_000_000)
                )
            )
    region = provider.get("region")
    if region and lab.is_chongqing(region):
        add(
            Clause(
                "region",
                "region",
                W["region"],
                Term("region", region),
                f"{lab.zh('regions', region)}本地",
                f"Local to {lab.en('regions', region)}",
            ),
            W["region"],
        )
        others = tuple(r for r in lab.chongqing if r != region)
        add(
            Clause(
                "region_chongqing",
                "region",
                W["region_chongqing"],
                Terms("region", others),
                "重庆市内",
                "Within Chongqing",
            ),
            W["region"],
        )
    filters: list = [Term("status", "published")]
    if exclude:
        filters.append(Not(Terms("id", tuple(sorted(int(i) for i in exclude)))))
    return Spec(
        index="demands",
        clauses=clauses,
        multipliers=multipliers,
        evidence=frozenset(evidence),
        filters=filters,
        max_points=sum(maxima.values()),
        case_cluster=None,
        case_terms=frozenset(t for t, _ in terms),
        kind="leads",
        context={
            "labels": lab,
            "provider_cases": list(provider.get("cases") or ()),
            "services": services,
        },
    )


# -- reasons ----------------------------------------------------------------------------
def _best_case(cases, cluster, terms: frozenset):
    best, best_key = None, None
    for case in cases or ():
        tokens = set((case.get("tokens") or "").split())
        overlap = len(tokens & terms)
        in_cluster = 1 if cluster and case.get("cluster") == cluster else 0
        key = (in_cluster, overlap)
        if (in_cluster or overlap >= 3) and (best_key is None or key > best_key):
            best, best_key = case, key
    return best


def reasons(spec: Spec, doc: Mapping, contributions: Mapping[str, float]) -> list[Reason]:
    """One reason per signal code that fired, in order of contribution."""
    lab: Labels = spec.context["labels"]
    by_code: dict[str, float] = {}
    clauses_by_code: dict[str, list[tuple[Clause, float]]] = {}
    for clause in spec.clauses:
        value = contributions.get(clause.name, 0.0)
        if value <= 1e-9:
            continue
        if clause.code in ("text",) and value < TEXT_REASON_MIN * WEIGHTS["text"]:
            continue
        if clause.name == "case_text" and value < TEXT_REASON_MIN * WEIGHTS["case_text"]:
            continue
        by_code[clause.code] = by_code.get(clause.code, 0.0) + value
        clauses_by_code.setdefault(clause.code, []).append((clause, value))
    out: list[tuple[float, int, Reason]] = []
    for code, total in by_code.items():
        fired = sorted(clauses_by_code[code], key=lambda cv: -cv[1])
        top = fired[0][0]
        zh, en = top.zh, top.en
        if code == "service":
            if spec.kind == "providers":
                names = [c for c, _ in fired]
                zh = "提供" + "、".join(c.zh for c in names)
                en = "Offers " + ", ".join(c.en for c in names)
            else:
                shared = [s for s in doc.get("services") or () if s in spec.context["services"]]
                zh = "需要" + "、".join(lab.zh("services", s) for s in shared)
                en = "Needs " + ", ".join(lab.en("services", s) for s in shared)
        elif code == "cluster" and spec.kind == "leads":
            c = doc.get("cluster")
            zh = top.zh.format(cluster=lab.zh("clusters", c))
            en = top.en.format(cluster=lab.en("clusters", c))
        elif code == "level":
            level, kind = doc.get("level"), doc.get("kind")
            zh = lab.zh("provider_levels", level) + (lab.zh("provider_kinds", kind) if kind else "")
            en = lab.en("provider_levels", level) + (
                " " + lab.en("provider_kinds", kind) if kind else ""
            )
        elif code == "case":
            if spec.kind == "providers":
                case = _best_case(doc.get("cases"), spec.case_cluster, spec.case_terms)
            else:
                case = next(
                    (
                        c
                        for c in spec.context["provider_cases"]
                        if c.get("cluster") == doc.get("cluster")
                    ),
                    None,
                )
            if case is not None and case.get("title"):
                zh = f"相关案例：{case['title']}"
                en = f"Relevant case: {case['title']}"
        out.append((total, REASON_ORDER.index(code), Reason(code, zh, en)))
    out.sort(key=lambda t: (-t[0], t[1]))
    return [r for _, _, r in out]


# -- BM25 (Lucene's formula, shared by the embedded backend and the evaluation) ---------
def idf(doc_freq: int, doc_count: int) -> float:
    return math.log(1.0 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


def text_weights(terms, doc_freqs: Mapping[str, int], doc_count: int) -> tuple[dict, float]:
    """Per-term weight ``w·idf`` for the kept terms, and the normaliser ``(k1 + 1)·Σ w·idf``.

    Elasticsearch scores a term as ``idf · (k1 + 1) · tf / (tf + norm)`` (its legacy BM25
    keeps the ``k1 + 1`` factor), so the normaliser is the most a document can score.
    """
    kept: dict[str, float] = {}
    if doc_count <= 0:
        return kept, 0.0
    for term, w in terms:
        df = doc_freqs.get(term, 0)
        if df <= 0 or df > MAX_COMMON_SHARE * doc_count:
            continue
        kept[term] = w * idf(df, doc_count)
    return kept, (BM25_K1 + 1) * sum(kept.values())


def informative_limit(doc_count: int) -> float:
    """A kept term in at most this many documents is informative (first phase)."""
    return max(INFORMATIVE_MIN_DOCS, INFORMATIVE_SHARE * doc_count)


def text_stats(
    terms, doc_freqs: Mapping[str, int], doc_count: int
) -> tuple[dict, float, frozenset]:
    """``text_weights`` plus the set of informative kept terms."""
    kept, total = text_weights(terms, doc_freqs, doc_count)
    limit = informative_limit(doc_count)
    return kept, total, frozenset(t for t in kept if doc_freqs.get(t, 0) <= limit)


def combine_contributions(contributions: Mapping[str, float]) -> dict[str, float]:
    """Per clause name, the first-phase part plus the second-phase (common terms) part."""
    out: dict[str, float] = {}
    for name, value in contributions.items():
        if name.endswith(COMMON_SUFFIX):
            name = name[: -len(COMMON_SUFFIX)]
        out[name] = out.get(name, 0.0) + value
    return out


def _long_to_int4(i: int) -> int:
    num_bits = i.bit_length()
    if num_bits < 4:
        return i
    shift = num_bits - 4
    encoded = (i >> shift) & 0x07
    return encoded | ((shift + 1) << 3)


def _int4_to_long(i: int) -> int:
    bits = i & 0x07
    shift = (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_NUM_FREE = 255 - _long_to_int4(2**31 - 1)


def lucene_length(length: int) -> int:
    """Field length as Lucene stores it in its one-byte norm (lossy above 24)."""
    if length < _NUM_FREE:
        return length
    encoded = _NUM_FREE + _long_to_int4(length - _NUM_FREE)
    return _NUM_FREE + _int4_to_long(encoded - _NUM_FREE)
