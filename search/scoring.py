"""The matcher: ONE table of signals, executed by both backends in both directions.

(The talent pool's matcher, ``search.talent``, is a second ``Table`` of rows for the same
machinery: people ↔ talent needs. Everything below applies to it as well.)

Each row of ``SIGNALS`` is one signal: its reason code (API.md), whether it makes a document
a candidate (*evidence*), and for each direction a function that turns the query record
into conditions on the other side's documents:

* ``providers`` — a demand record → conditions on provider documents (``provider_spec``);
* ``leads`` — a provider record → conditions on published demand documents (``lead_spec``).

A signal scores 0..1 per document (yes/no conditions 1; text, coverage, similarity and
cluster credit in between) and contributes ``weight × value``. The weights are learned on
judged pairs (``scripts/train_ranker.py``) and shipped in ``search/data/ranker-v<N>.json``
with their training report; a signal whose learned weight is negative (a penalty such as a
price floor far above the budget) is applied as a positive weight on the *absence* of its
condition, which ranks the same and keeps every score non-negative (Elasticsearch requires
it).

Signals (providers for a demand; leads mirror them):

================  ======  ===================================================================
signal            code    value
================  ======  ===================================================================
cluster           cluster credit for the best of the provider's clusters: 1 for the ticked
                          cluster, the inferred share for a cluster the demand's text points at
                          (``search.vectors``: the ticked cluster can be wrong or too narrow)
cluster_related   cluster only a related cluster (taxonomy: same Yongchuan industry group)
case_cluster      case    the same credit for the clusters of the provider's portfolio cases
service           service share of the demand's services the provider ticks
service_evidence  service share of the demand's services its own description and cases show
                          (a taxonomy label or alias of the service in its text): evidence
                          counts beside ticks
text              text    BM25 share of the demand's terms in name + description (below)
case_text         case    the same on the portfolio cases
meaning           text    (1 + cos) / 2 of the demand's and the profile's word vectors
case_meaning      case    the same against the portfolio cases' vector
budget            budget  the price range overlaps the budget
budget_near       budget  the price floor is above the budget but within 2×
price_floor_far   budget  the price floor is more than 2× the budget (a penalty)
activity          activity  the team size fits the project scale
region            region  same district; region_chongqing: elsewhere in Chongqing
level_*           level   national, municipal, district recognition
================  ======  ===================================================================

Exposure: the caller passes the ids of *damped* providers (recommended at least 20 times,
answered fewer than 10 %; computed from the database, never stored in the index) and their
score is multiplied by ``DAMPING``.

Text relevance is BM25 (Elasticsearch's formula, k1 = 1.2, b = 0.75) of the weighted query
terms (title ×1.5, description ×1.0, taxonomy synonyms at half weight) divided by the
query's total weighted IDF: the share of the query's information the document matches.
Terms in no document, or in more than half the documents, are ignored.

The score returned is ``points × multipliers / max_points`` (the most the signals that
apply could give), clamped to 1: non-increasing down the list, ties broken by id. When the
shipped model has trees for the direction (``search.rerank``), the first phase's best
``RERANK_DEPTH`` candidates are ordered by them instead, and the score is their 0..1 score
times the multipliers (``finish``).

Evaluation in two phases, so that a query costs little more than its rare terms' postings
on a large index:

1. The query's text terms split into *informative* ones, in at most
   ``max(INFORMATIVE_MIN_DOCS, INFORMATIVE_SHARE × documents)`` documents, and *common*
   ones (the rest). On an index of up to ``2 × INFORMATIVE_MIN_DOCS`` documents every kept
   term is informative.
2. First phase, over the candidates (an evidence signal fires): the evidence clauses alone,
   text clauses with their informative terms only. A similarity clause scores the
   ``VECTOR_TOP`` documents nearest to the query vector (exact: Elasticsearch's ``knn`` on a
   ``flat`` dense_vector field, numpy in the embedded backend).
3. The ``RESCORE_WINDOW`` best documents get the rest: the common terms' share of the text
   clauses and the signals that make no candidate (budget, region, level, …), same weights;
   then the multipliers apply and the top k is taken from them. Choosing the window on the
   evidence alone lets Elasticsearch skip the candidates that cannot reach it instead of
   checking every yes/no signal on most of the index; on an index with fewer candidates
   than the window, the result is that of scoring everything.

Reasons are codes with a message key and parameters (``Reason``); the app translates them.
Every item carries the reasons that actually moved it: one per code, ordered by the points
that code contributed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import Hit, Reason
from .rerank import DEPTH as RERANK_DEPTH
from .rerank import Trees, probability, signal_values
from .text import Analyzer
from .vectors import industry as infer_industry
from .vectors import load as load_vectors

MODEL_FILE = Path(__file__).with_name("data") / "ranker-v3.json"
DIRECTIONS = ("providers", "leads")
DAMPING = 0.7  # exposure: score multiplier of a damped provider
EXPOSURE_MIN_RECOMMENDED = 20
EXPOSURE_MIN_ANSWER_RATE = 0.1
TITLE_WEIGHT = 1.5
SYNONYM_WEIGHT = 0.5
CASE_BACKED = 1.0  # leads: cluster credit of a cluster the provider's cases show…
DECLARED_ONLY = 0.6  # …and of a cluster it only declares
TEXT_REASON_MIN = 0.25  # text-like reasons shown from this share of their weight
SIMILAR_FLOOR = 0.6  # a similarity clause scores (1 + cos) / 2 from this value up
MAX_COMMON_SHARE = 0.5  # query terms in more than this share of documents are ignored
INFORMATIVE_SHARE = 0.05  # …in at most this share (or INFORMATIVE_MIN_DOCS) are informative
INFORMATIVE_MIN_DOCS = 1_000
RESCORE_WINDOW = 500  # documents given the common terms' share (second phase)
VECTOR_TOP = 1_000  # documents a similarity clause scores (nearest first)
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


@dataclass(frozen=True)
class Best:
    """Scored: the largest weight among the document's codes in ``field`` (0..1)."""

    field: str
    weights: tuple  # ((code, weight), ...), weights in 0..1


@dataclass(frozen=True)
class Similar:
    """Scored: (1 + dot) / 2 of unit vectors, for the ``top`` documents nearest ``vector``
    whose value is at least ``floor`` (below it, texts are not alike enough to say so)."""

    field: str
    vector: tuple
    top: int = VECTOR_TOP
    floor: float = SIMILAR_FLOOR


@dataclass(frozen=True)
class Value:
    """Scored: the document's own number in ``field`` (0..1)."""

    field: str


SCORED = (Text, Coverage, Best, Similar, Value)


@dataclass
class Clause:
    name: str  # unique, used as Elasticsearch _name
    code: str  # reason code
    weight: float
    cond: object
    message: str | None = None  # reason message key (None: never a reason)
    params: dict = field(default_factory=dict)


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
    kind: str = "providers"  # providers | leads (talent: talent | openings)
    context: dict = field(default_factory=dict)
    window: int = RESCORE_WINDOW
    table: Table | None = None  # the signal table the clauses come from (None: SIGNALS)
    signal_weights: dict = field(default_factory=dict)  # signal → signed weight used
    rerank: Trees | None = None  # the trees that re-rank the first phase's best (if any)

    def window_for(self, k: int) -> int:
        """Documents given the second phase for a top ``k`` (ties at k sorted by id)."""
        return max(self.window, 2 * k)

    def depth(self, k: int) -> int:
        """First-phase candidates to hand to ``finish`` for a top ``k``."""
        return max(k, RERANK_DEPTH) if self.rerank is not None else k

    def normalise(self, points: float) -> float:
        if self.max_points <= 0:
            return 0.0
        return max(0.0, min(1.0, points / self.max_points))


# -- taxonomy helpers -------------------------------------------------------------------
class Labels:
    """Taxonomy lookups the signals need: related clusters, Chongqing's districts."""

    def __init__(self, taxonomy: Mapping):
        self.clusters = {it["code"] for it in taxonomy.get("clusters", ())}
        self.related: dict[str, set[str]] = {}
        for group in taxonomy.get("yongchuan_industries", ()):
            codes = [c for c in group.get("maps_to") or () if c in self.clusters]
            for c in codes:
                self.related.setdefault(c, set()).update(x for x in codes if x != c)
        regions = {it["code"]: it for it in taxonomy.get("regions", ())}
        self.chongqing = tuple(sorted(c for c, it in regions.items() if it.get("type") != "other"))

    def is_chongqing(self, region) -> bool:
        return region in self.chongqing


_LABELS: dict[int, tuple[Mapping, Labels]] = {}


def labels_for(taxonomy: Mapping) -> Labels:
    """The lookups of one (long-lived) taxonomy object, built once."""
    cached = _LABELS.get(id(taxonomy))
    if cached is None or cached[0] is not taxonomy:
        cached = _LABELS[id(taxonomy)] = (taxonomy, Labels(taxonomy))
    return cached[1]


def query_terms(analyzer: Analyzer, title: str | None, body: str | None) -> tuple:
    weights = analyzer.weighted_terms(
        [(title, TITLE_WEIGHT), (body, 1.0)], synonym_weight=SYNONYM_WEIGHT
    )
    return tuple(sorted(weights.items()))


def team_needed(scale: int | None) -> int:
    """Team size that fits a project of this budget."""
    if scale is None:
        return 2
    if scale >= 1_000_000:
        return 15
    if scale >= 300_000:
        return 6
    return 2


def _codes(values) -> tuple:
    return tuple(dict.fromkeys(v for v in values or () if v))


def meaning_vector(analyzer: Analyzer, *texts) -> tuple | None:
    v = load_vectors().vector(analyzer.tokens(" ".join(t or "" for t in texts)))
    return None if v is None else tuple(float(x) for x in v)


# Per analyser and taxonomy: service code → the single-token names of that service.
_SERVICE_WORDS: dict[tuple[int, int], tuple[Analyzer, Mapping, dict]] = {}


def _service_words(analyzer: Analyzer, taxonomy: Mapping) -> dict[str, frozenset]:
    key = (id(analyzer), id(taxonomy))
    cached = _SERVICE_WORDS.get(key)
    if cached is None or cached[0] is not analyzer or cached[1] is not taxonomy:
        words = {}
        for item in taxonomy.get("services", ()):
            names = [item.get("zh", ""), *(item.get("aliases") or ())]
            units = (analyzer.words(name) for name in names)
            words[item["code"]] = frozenset(u[0] for u in units if len(u) == 1)
        cached = _SERVICE_WORDS[key] = (analyzer, taxonomy, words)
    return cached[2]


def service_evidence(analyzer: Analyzer, taxonomy: Mapping, tokens) -> list[str]:
    """Services whose taxonomy label or an alias is one of ``tokens`` (the text's own)."""
    present = set(tokens)
    return [code for code, names in _service_words(analyzer, taxonomy).items() if names & present]


# -- direction-specific inputs ----------------------------------------------------------
@dataclass
class Inputs:
    """What the signals read from the query record, computed once per query."""

    kind: str  # providers | leads
    record: Mapping
    labels: Labels
    clusters: tuple  # providers: the ticked cluster; leads: the provider's clusters
    case_clusters: tuple  # leads: the clusters of the provider's cases
    industry: dict  # providers: inferred cluster shares of the demand's text
    services: tuple
    evidenced: tuple  # leads: the services the provider's text shows
    terms: tuple
    vector: tuple | None
    case_vector: tuple | None  # leads: the provider's cases' vector
    budget_min: int | None = None
    budget_max: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    team: int | None = None
    region: str | None = None


# The providers whose portfolio cases lie nearest a vector: [(similarity, case clusters)].
Neighbours = Callable[[tuple], Sequence[tuple[float, Sequence[str]]]]


def demand_inputs(
    demand: Mapping, taxonomy: Mapping, analyzer: Analyzer, neighbours: Neighbours
) -> Inputs:
    """``neighbours``: the backend's nearest providers by cases, for the industry inference."""
    vector = meaning_vector(analyzer, demand.get("title"), demand.get("description"))
    industry = infer_industry(neighbours(vector)) if vector is not None else {}
    return Inputs(
        kind="providers",
        record=demand,
        labels=labels_for(taxonomy),
        clusters=_codes([demand.get("cluster")]),
        case_clusters=(),
        industry=industry,
        services=_codes(demand.get("services")),
        evidenced=(),
        terms=query_terms(analyzer, demand.get("title"), demand.get("description")),
        vector=vector,
        case_vector=None,
        budget_min=demand.get("budget_min"),
        budget_max=demand.get("budget_max"),
        region=demand.get("region"),
    )


def provider_inputs(provider: Mapping, taxonomy: Mapping, analyzer: Analyzer) -> Inputs:
    cases = provider.get("cases") or ()
    case_text = " ".join(f"{c.get('title') or ''} {c.get('description') or ''}" for c in cases)
    profile = f"{provider.get('description') or ''} {case_text}"
    return Inputs(
        kind="leads",
        record=provider,
        labels=labels_for(taxonomy),
        clusters=_codes(provider.get("clusters")),
        case_clusters=_codes(c.get("cluster") for c in cases),
        industry={},
        services=_codes(provider.get("services")),
        evidenced=tuple(service_evidence(analyzer, taxonomy, analyzer.tokens(profile))),
        terms=query_terms(analyzer, provider.get("name"), profile),
        vector=meaning_vector(analyzer, provider.get("name"), provider.get("description")),
        case_vector=meaning_vector(analyzer, case_text) if cases else None,
        price_min=provider.get("price_min"),
        price_max=provider.get("price_max"),
        team=provider.get("team_size"),
        region=provider.get("region"),
    )


# -- the signals, one row each ----------------------------------------------------------
# A builder returns the signal's parts: (condition, scale, message key, params). Parts of
# one signal add up (scales sum to at most 1).
Part = tuple


def _cluster(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        credit = {c: share for c, share in q.industry.items()}
        for c in q.clusters:
            credit[c] = 1.0
        if not credit:
            return []
        weights = tuple(sorted(credit.items()))
        return [(Best("clusters", weights), 1.0, "cluster.same", {"credit": dict(weights)})]
    if not q.clusters:
        return []
    backed = set(q.case_clusters)
    weights = tuple((c, CASE_BACKED if c in backed else DECLARED_ONLY) for c in q.clusters)
    return [(Best("cluster", weights), 1.0, "cluster.same", {})]


def _cluster_related(q: Inputs) -> list[Part]:
    own = set(q.clusters) | ({c for c in q.industry} if q.kind == "providers" else set())
    related = tuple(sorted({r for c in q.clusters for r in q.labels.related.get(c, ())} - own))
    if not related:
        return []
    if q.kind == "providers":
        cond = All((Terms("clusters", related), Not(Terms("clusters", tuple(sorted(own))))))
    else:
        cond = Terms("cluster", related)
    return [(cond, 1.0, "cluster.related", {"clusters": related})]


def _case_cluster(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        credit = dict(q.industry)
        for c in q.clusters:
            credit[c] = 1.0
        if not credit:
            return []
        return [(Best("case_clusters", tuple(sorted(credit.items()))), 1.0, "case", {})]
    if not q.case_clusters:
        return []
    return [(Terms("cluster", q.case_clusters), 1.0, "case", {})]


def _service(q: Inputs) -> list[Part]:
    if not q.services:
        return []
    if q.kind == "providers":
        per = 1.0 / len(q.services)
        return [
            (Term("services", s), per, "service.offers", {"services": (s,)}) for s in q.services
        ]
    return [
        (Coverage("services", q.services, "service_norm"), 1.0, "service.needs", {}),
    ]


def _service_evidence(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        if not q.services:
            return []
        per = 1.0 / len(q.services)
        return [
            (Term("service_evidence", s), per, "service.shown", {"services": (s,)})
            for s in q.services
        ]
    if not q.evidenced:
        return []
    return [(Coverage("services", q.evidenced, "service_norm"), 1.0, "service.needs", {})]


def _text(q: Inputs) -> list[Part]:
    if not q.terms:
        return []
    message = "text.demand" if q.kind == "providers" else "text.profile"
    return [(Text("text", q.terms), 1.0, message, {})]


def _case_text(q: Inputs) -> list[Part]:
    if q.kind != "providers" or not q.terms:
        return []
    return [(Text("case_text", q.terms), 1.0, "case", {})]


def _meaning(q: Inputs) -> list[Part]:
    if q.vector is None:
        return []
    target = "profile_vector" if q.kind == "providers" else "text_vector"
    return [(Similar(target, q.vector), 1.0, "text.meaning", {})]


def _case_meaning(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        if q.vector is None:
            return []
        return [(Similar("case_vector", q.vector), 1.0, "case", {})]
    if q.case_vector is None:
        return []
    return [(Similar("text_vector", q.case_vector), 1.0, "case", {})]


def _budget(q: Inputs) -> list[Part]:
    fit = []
    if q.kind == "providers":
        if q.budget_max is not None:
            fit.append(Range("price_min", lte=q.budget_max))
        if q.budget_min is not None:
            fit.append(Range("price_max", gte=q.budget_min))
        message = "budget.fits"
    else:
        if q.price_min is not None:
            fit.append(Range("budget_max", gte=q.price_min))
        if q.price_max is not None:
            fit.append(Range("budget_min", lte=q.price_max))
        message = "budget.fits_price"
    return [(All(tuple(fit)), 1.0, message, {})] if fit else []


def _budget_near(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        if q.budget_max is None:
            return []
        cond = Range("price_min", gt=q.budget_max, lte=2 * q.budget_max)
        return [(cond, 1.0, "budget.near", {})]
    if q.price_min is None:
        return []
    return [(Range("budget_max", gte=q.price_min / 2, lt=q.price_min), 1.0, "budget.below", {})]


def _price_floor_far(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        if q.budget_max is None:
            return []
        return [(Range("price_min", gt=2 * q.budget_max), 1.0, None, {})]
    if q.price_min is None:
        return []
    return [(Range("budget_max", lt=q.price_min / 2), 1.0, None, {})]


def _scale(q: Inputs) -> int | None:
    return q.budget_max if q.budget_max is not None else q.budget_min


def _activity(q: Inputs) -> list[Part]:
    if q.kind == "providers":
        cond = Range("team_size", gte=team_needed(_scale(q)))
        return [(cond, 1.0, "activity.team", {})]
    if q.team is None:
        return []
    # The largest budget scale this team fits (inverse of team_needed).
    if q.team >= 15:
        cond = Range("budget_sort", gte=0)
    elif q.team >= 6:
        cond = Range("budget_sort", lt=1_000_000)
    elif q.team >= 2:
        cond = Range("budget_sort", lt=300_000)
    else:
        cond = Range("budget_sort", lt=0)
    return [(cond, 1.0, "activity.scale", {})]


def _region(q: Inputs) -> list[Part]:
    if not q.region or not q.labels.is_chongqing(q.region):
        return []
    return [(Term("region", q.region), 1.0, "region.local", {"region": q.region})]


def _region_chongqing(q: Inputs) -> list[Part]:
    if not q.region or not q.labels.is_chongqing(q.region):
        return []
    others = tuple(r for r in q.labels.chongqing if r != q.region)
    return [(Terms("region", others), 1.0, "region.chongqing", {})]


def _level(level: str) -> Callable[[Inputs], list[Part]]:
    def build(q: Inputs) -> list[Part]:
        if q.kind != "providers":
            return []
        return [(Term("level", level), 1.0, "level", {})]

    return build


def _price_focus(q: Inputs) -> list[Part]:
    """Breadth: a price range spanning orders of magnitude says "we take anything"."""
    if q.kind != "providers":
        return []
    return [(Value("price_focus"), 1.0, None, {})]


@dataclass(frozen=True)
class Signal:
    name: str  # key of the learned weight
    code: str  # reason code
    evidence: bool
    build: Callable[[Inputs], list[Part]]


SIGNALS: tuple[Signal, ...] = (
    Signal("cluster", "cluster", True, _cluster),
    Signal("cluster_related", "cluster", True, _cluster_related),
    Signal("case_cluster", "case", True, _case_cluster),
    Signal("service", "service", True, _service),
    Signal("service_evidence", "service", True, _service_evidence),
    Signal("text", "text", True, _text),
    Signal("case_text", "case", True, _case_text),
    Signal("meaning", "text", True, _meaning),
    Signal("case_meaning", "case", True, _case_meaning),
    Signal("budget", "budget", False, _budget),
    Signal("budget_near", "budget", False, _budget_near),
    Signal("price_floor_far", "budget", False, _price_floor_far),
    Signal("activity", "activity", False, _activity),
    Signal("region", "region", False, _region),
    Signal("region_chongqing", "region", False, _region_chongqing),
    Signal("level_national", "level", False, _level("national")),
    Signal("level_municipal", "level", False, _level("municipal")),
    Signal("level_district", "level", False, _level("district")),
    Signal("price_focus", "budget", False, _price_focus),
)
SIGNAL_NAMES = tuple(s.name for s in SIGNALS)


# -- the learned weights ----------------------------------------------------------------
@lru_cache(maxsize=4)
def load_model(path: str = str(MODEL_FILE), names: tuple[str, ...] = SIGNAL_NAMES) -> dict:
    """A shipped ranker: ``{"version", "weights", "report"}``. Its weights are one table
    ``{signal: weight}``, or one per direction ``{direction: {signal: weight}}`` (the design
    matcher: fitted on the judgments as read in each direction, providers for a demand and
    demands for a provider).
    """
    with open(path, encoding="utf-8") as fh:
        model = json.load(fh)
    tables = model["weights"]
    if not all(isinstance(t, dict) for t in tables.values()):
        tables = {"": tables}
    for direction, table in tables.items():
        missing = [n for n in names if n not in table]
        if missing:
            raise ValueError(
                f"{path}: no {direction} weight for {', '.join(missing)}".replace("  ", " ")
            )
    return model


def weights(direction: str) -> Mapping[str, float]:
    return load_model()["weights"][direction]


@lru_cache(maxsize=4)
def rerank_trees(direction: str) -> Trees | None:
    """The shipped model's re-ranking trees of ``direction`` (None: the weights alone)."""
    data = (load_model().get("rerank") or {}).get(direction)
    return None if data is None else Trees.from_json(data)


@dataclass(frozen=True)
class Table:
    """One pairing's signals: its rows, its weights file and how its reasons read.

    ``DESIGN`` (this module: design firms ↔ demands) and ``search.talent.TALENT`` (people ↔
    talent needs) are two tables of the same machinery: ``build_spec`` turns either into
    clauses, both backends execute the spec, ``reasons`` explains it.
    """

    signals: tuple[Signal, ...]
    reason_order: tuple[str, ...]
    explain: Callable  # (spec, code, fired clauses, document) → Reason
    weights: Callable[[str], Mapping[str, float]]  # direction → the shipped weights (lazily)
    rerank: Callable[[str], Trees | None] = lambda direction: None  # direction → trees

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.signals)


# -- building a spec --------------------------------------------------------------------
def build_spec(
    q,
    index: str,
    filters: list,
    multipliers: list[Multiplier],
    signal_weights: Mapping[str, float] | None = None,
    table: Table | None = None,
) -> Spec:
    """The clauses of every signal of ``table`` (default ``DESIGN``) for these inputs, weighted.

    ``q`` is the table's inputs (``Inputs`` here, ``search.talent.TalentInputs``): each row's
    builder reads it; ``q.kind`` says the direction, and so which weights apply.
    """
    table = table or DESIGN
    w = table.weights(q.kind) if signal_weights is None else signal_weights
    used: dict[str, float] = {}
    clauses: list[Clause] = []
    evidence: set[str] = set()
    max_points = 0.0
    for signal in table.signals:
        weight = float(w.get(signal.name, 0.0))
        parts = signal.build(q)
        if not parts or weight == 0.0:
            continue
        most = 0.0
        used[signal.name] = weight
        for n, (cond, scale, message, params) in enumerate(parts):
            name = signal.name if len(parts) == 1 else f"{signal.name}:{n}"
            if weight < 0:
                if isinstance(cond, SCORED):
                    raise ValueError(f"scored signal {signal.name} cannot have a negative weight")
                cond, message = Not(cond), None
            clauses.append(Clause(name, signal.code, abs(weight) * scale, cond, message, params))
            most += abs(weight) * scale
            if signal.evidence and weight > 0:
                evidence.add(name)
        max_points += most
    return Spec(
        index=index,
        clauses=clauses,
        multipliers=multipliers,
        evidence=frozenset(evidence),
        filters=filters,
        max_points=max_points,
        kind=q.kind,
        context={"inputs": q},
        table=table,
        signal_weights=used,
        # Trees re-rank the first phase they were trained on: the shipped weights.
        rerank=table.rerank(q.kind) if signal_weights is None else None,
    )


def _exclude(exclude: Collection[int]) -> list:
    if not exclude:
        return []
    return [Not(Terms("id", tuple(sorted(int(i) for i in exclude))))]


def provider_spec(
    demand: Mapping,
    taxonomy: Mapping,
    analyzer: Analyzer,
    neighbours: Neighbours,
    exclude: Collection[int] = (),
    damped: Collection[int] = (),
    signal_weights: Mapping[str, float] | None = None,
) -> Spec:
    """Demand record → how to score provider documents."""
    multipliers = []
    if damped:
        ids = tuple(sorted(map(int, damped)))
        multipliers.append(Multiplier("exposure", DAMPING, Terms("id", ids)))
    q = demand_inputs(demand, taxonomy, analyzer, neighbours)
    return build_spec(q, "providers", _exclude(exclude), multipliers, signal_weights)


def lead_spec(
    provider: Mapping,
    taxonomy: Mapping,
    analyzer: Analyzer,
    exclude: Collection[int] = (),
    signal_weights: Mapping[str, float] | None = None,
) -> Spec:
    """Provider record → how to score published demand documents."""
    q = provider_inputs(provider, taxonomy, analyzer)
    filters = [Term("status", "published"), *_exclude(exclude)]
    return build_spec(q, "demands", filters, [], signal_weights)


# -- reasons ----------------------------------------------------------------------------
def _best_case(cases, clusters: Collection[str], terms: frozenset):
    best, best_key = None, None
    for case in cases or ():
        tokens = set((case.get("tokens") or "").split())
        overlap = len(tokens & terms)
        in_cluster = 1 if case.get("cluster") in clusters else 0
        key = (in_cluster, overlap)
        if (in_cluster or overlap >= 3) and (best_key is None or key > best_key):
            best, best_key = case, key
    return best


def _lift(clause: Clause, value: float) -> float:
    """How much a clause moved a document, as a reason: 0 when too little to name.

    A similarity is never 0 (unrelated texts still share a little), so only its part above
    its part above the clause's floor counts; a text share counts from ``TEXT_REASON_MIN``.
    """
    if clause.message is None or value <= 1e-9 or clause.weight <= 0:
        return 0.0
    if isinstance(clause.cond, Text) and value < TEXT_REASON_MIN * clause.weight:
        return 0.0
    if isinstance(clause.cond, Similar):
        floor = clause.cond.floor
        return max(0.0, (value - floor * clause.weight) / (1.0 - floor))
    return value


def _reason(spec: Spec, code: str, fired: list[tuple[Clause, float]], doc: Mapping) -> Reason:
    q: Inputs = spec.context["inputs"]
    top = fired[0][0]
    if code == "cluster" and top.message == "cluster.same":
        if spec.kind == "leads":
            return Reason(code, "cluster.same", {"cluster": doc.get("cluster")})
        credit = top.params["credit"]
        mine = [c for c in doc.get("clusters") or () if c in credit]
        best = max(mine, key=lambda c: (credit[c], c in q.clusters)) if mine else None
        if best in q.clusters:
            return Reason(code, "cluster.same", {"cluster": best})
        return Reason(code, "cluster.inferred", {"cluster": best})
    if code == "cluster":
        mine = tuple(c for c in top.params["clusters"] if c in (doc.get("clusters") or ()))
        return Reason(code, "cluster.related", {"clusters": mine or top.params["clusters"]})
    if code == "service":
        if spec.kind == "providers":
            offered = [c.params["services"][0] for c, _ in fired if c.message == "service.offers"]
            if offered:
                return Reason(code, "service.offers", {"services": tuple(offered)})
            shown = tuple(c.params["services"][0] for c, _ in fired)
            return Reason(code, "service.shown", {"services": shown})
        wanted = set(q.services) | set(q.evidenced)
        shared = tuple(s for s in doc.get("services") or () if s in wanted)
        return Reason(code, "service.needs", {"services": shared})
    if code == "level":
        return Reason(code, "level", {"level": doc.get("level"), "kind": doc.get("kind")})
    if code == "case":
        if spec.kind == "providers":
            clusters = set(q.clusters) | set(q.industry)
            case = _best_case(doc.get("cases"), clusters, frozenset(t for t, _ in q.terms))
        else:
            cases = q.record.get("cases") or ()
            case = next((c for c in cases if c.get("cluster") == doc.get("cluster")), None)
        if case is not None and case.get("title"):
            return Reason(code, "case.named", {"title": case["title"]})
        return Reason(code, "case", {})
    return Reason(code, top.message, dict(top.params))


# Weights and trees are looked up at each use (a model swapped in is honoured).
DESIGN = Table(
    SIGNALS,
    REASON_ORDER,
    _reason,
    lambda direction: weights(direction),
    lambda direction: rerank_trees(direction),
)


@dataclass
class Candidate:
    """One of the first phase's best documents, as a backend hands it to ``finish``."""

    id: int
    points: float  # first-phase and second-phase points, multipliers applied
    factor: float  # the product of the multipliers that applied to it
    contributions: Mapping[str, float]  # clause name → points (both phases, no multiplier)
    doc: Mapping  # the stored document (for the reasons; {}: ``finish`` asks for it)


def factors(spec: Spec, ids: Iterable[int]) -> dict[int, float]:
    """The product of ``spec``'s multipliers for each of ``ids`` (they select by id)."""
    out = dict.fromkeys(ids, 1.0)
    for m in spec.multipliers:
        cond = m.cond
        if not isinstance(cond, (Term, Terms)) or cond.field != "id":
            raise TypeError(f"a multiplier selects documents by id, not {cond!r}")
        chosen = set(cond.values) if isinstance(cond, Terms) else {cond.value}
        for doc_id in out.keys() & chosen:
            out[doc_id] *= m.factor
    return out


def finish(
    spec: Spec,
    candidates: Sequence[Candidate],
    k: int,
    documents: Callable[[list[int]], Mapping[int, Mapping]] | None = None,
) -> list[Hit]:
    """The top ``k`` of the first phase's best ``spec.depth(k)`` candidates, with reasons.

    With trees, their score (0..1, times the multipliers) orders the candidates; without,
    the points do. Ties go to the smaller id, so both backends return the same list.
    ``documents``: the stored documents of the chosen ids, for a backend whose candidates
    come without them (reading a hundred stored documents to explain ten costs more than
    asking for the ten).
    """
    if spec.rerank is not None and candidates:
        contributions = [c.contributions for c in candidates]
        raw = spec.rerank.predict(signal_values(spec, contributions, spec.rerank.signals))
        scored = [
            (round(probability(float(r)) * c.factor, 6),) * 2 + (c,)
            for r, c in zip(raw, candidates, strict=True)
        ]
    else:
        scored = [(round(c.points, 6), round(spec.normalise(c.points), 6), c) for c in candidates]
    scored.sort(key=lambda t: (-t[0], t[2].id))
    top = scored[:k]
    docs = documents([c.id for _, _, c in top]) if documents is not None else {}
    return [
        Hit(c.id, score, reasons(spec, docs.get(c.id, c.doc), c.contributions))
        for _, score, c in top
    ]


def reasons(spec: Spec, doc: Mapping, contributions: Mapping[str, float]) -> list[Reason]:
    """One reason per code that moved the document, largest contribution first."""
    table = spec.table or DESIGN
    by_code: dict[str, list[tuple[Clause, float]]] = {}
    for clause in spec.clauses:
        lift = _lift(clause, contributions.get(clause.name, 0.0))
        if lift > 0:
            by_code.setdefault(clause.code, []).append((clause, lift))
    out = []
    for code, fired in by_code.items():
        fired.sort(key=lambda cv: -cv[1])
        total = sum(v for _, v in fired)
        out.append((total, table.reason_order.index(code), table.explain(spec, code, fired, doc)))
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
