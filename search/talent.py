"""The talent matcher: people of the talent pool ↔ talent needs (岗位), one table of signals.

The same machinery as the design matcher (``search.scoring``): each row of ``SIGNALS`` is a
``Signal`` whose builder turns the query record into conditions on the other side's
documents, ``build_spec`` weights them into a ``Spec``, both backends execute it in the same
two phases, and ``reasons`` names what moved each hit. Two directions:

* ``talent`` — a need record → conditions on listed people or on active experts, whose
  documents have the same shape (``talent_spec``; a diagnosis request is a need for experts);
* ``openings`` — a person's record → conditions on open needs (``opening_spec``).

================  ============  ==========================================================
signal            code          value
================  ============  ==========================================================
speciality        speciality    share of the need's specialities the person has
cluster           cluster       the person works in one of the need's clusters
cluster_related   cluster       only a related cluster (taxonomy: same Yongchuan group)
text              text          BM25 share of the need's terms in bio and works
meaning           text          (1 + cos) / 2 of the need's and the profile's word vectors
title             seniority     professional title at or above the need's minimum
experience        seniority     years of experience at or above the need's minimum
region            region        same district; region_chongqing: elsewhere in Chongqing
availability      availability  1 available now, ½ open to offers (people only)
================  ============  ==========================================================

Evidence (what makes a document a candidate): speciality, cluster, related cluster, text.
Meaning ranks candidates but admits none: unlike a design firm, whose profile and cases are
long, a person's few words are alike enough to any need's to bring in everyone.

There are no judged talent pairs yet, so the weights in ``data/talent-v1.json`` are set by
hand (the file says why); the day judged pairs exist, ``scripts/train_ranker.py``'s method
applies unchanged to this table.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import EXPERTS, OPENINGS, TALENT, Reason
from .scoring import (
    All,
    Best,
    Coverage,
    Labels,
    Not,
    Range,
    Signal,
    Similar,
    Spec,
    Table,
    Term,
    Terms,
    Text,
    build_spec,
    labels_for,
    load_model,
    meaning_vector,
    query_terms,
)
from .text import Analyzer

MODEL_FILE = Path(__file__).with_name("data") / "talent-v1.json"
OPEN = "open"  # the status of a need people are matched to
AVAILABILITY_CREDIT = (("available", 1.0), ("open", 0.5))


@dataclass
class TalentInputs:
    """What the signals read from the query record, computed once per query."""

    kind: str  # talent (a need → people) | openings (a person → needs)
    record: Mapping
    labels: Labels
    specialities: tuple
    clusters: tuple
    region: str | None
    terms: tuple
    vector: tuple | None
    title_rank: int  # talent: the need's minimum; openings: the person's own
    years: int  # talent: the need's minimum; openings: the person's own


def _codes(values) -> tuple:
    return tuple(dict.fromkeys(v for v in values or () if v))


def _number(value) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError):
        return 0


def need_inputs(need: Mapping, taxonomy: Mapping, analyzer: Analyzer) -> TalentInputs:
    return TalentInputs(
        kind="talent",
        record=need,
        labels=labels_for(taxonomy),
        specialities=_codes(need.get("specialities")),
        clusters=_codes(need.get("clusters")),
        region=need.get("region"),
        terms=query_terms(analyzer, need.get("title"), need.get("description")),
        vector=meaning_vector(analyzer, need.get("title"), need.get("description")),
        title_rank=_number(need.get("title_min_rank")),
        years=_number(need.get("years_min")),
    )


def person_inputs(profile: Mapping, taxonomy: Mapping, analyzer: Analyzer) -> TalentInputs:
    works = " ".join(
        f"{w.get('title') or ''} {w.get('description') or ''}" for w in profile.get("works") or ()
    )
    return TalentInputs(
        kind="openings",
        record=profile,
        labels=labels_for(taxonomy),
        specialities=_codes(profile.get("specialities")),
        clusters=_codes(profile.get("clusters")),
        region=profile.get("region"),
        terms=query_terms(analyzer, None, f"{profile.get('bio') or ''} {works}"),
        vector=meaning_vector(analyzer, profile.get("bio"), works),
        title_rank=_number(profile.get("title_rank")),
        years=_number(profile.get("years")),
    )


# -- the signals, one row each (parts: condition, scale, message key, params) -------------
def _speciality(q: TalentInputs) -> list:
    if not q.specialities:
        return []
    if q.kind == TALENT:
        per = 1.0 / len(q.specialities)
        return [(Term("specialities", s), per, "talent.speciality", {}) for s in q.specialities]
    cond = Coverage("specialities", q.specialities, "speciality_norm")
    return [(cond, 1.0, "talent.speciality", {})]


def _cluster(q: TalentInputs) -> list:
    if not q.clusters:
        return []
    return [(Terms("clusters", q.clusters), 1.0, "cluster.same", {})]


def _cluster_related(q: TalentInputs) -> list:
    own = set(q.clusters)
    related = tuple(sorted({r for c in q.clusters for r in q.labels.related.get(c, ())} - own))
    if not related:
        return []
    cond = All((Terms("clusters", related), Not(Terms("clusters", tuple(sorted(own))))))
    return [(cond, 1.0, "cluster.related", {"clusters": related})]


def _text(q: TalentInputs) -> list:
    if not q.terms:
        return []
    return [(Text("text", q.terms), 1.0, "talent.text", {})]


def _meaning(q: TalentInputs) -> list:
    if q.vector is None:
        return []
    target = "profile_vector" if q.kind == TALENT else "text_vector"
    return [(Similar(target, q.vector), 1.0, "talent.meaning", {})]


def _title(q: TalentInputs) -> list:
    if q.kind == TALENT:
        if q.title_rank <= 0:
            return []
        return [(Range("title_rank", gte=q.title_rank), 1.0, "talent.title", {})]
    return [(Range("title_min_rank", lte=q.title_rank), 1.0, "talent.title", {})]


def _experience(q: TalentInputs) -> list:
    if q.kind == TALENT:
        if q.years <= 0:
            return []
        return [(Range("years", gte=q.years), 1.0, "talent.experience", {})]
    return [(Range("years_min", lte=q.years), 1.0, "talent.experience", {})]


def _region(q: TalentInputs) -> list:
    if not q.region or not q.labels.is_chongqing(q.region):
        return []
    return [(Term("region", q.region), 1.0, "region.local", {"region": q.region})]


def _region_chongqing(q: TalentInputs) -> list:
    if not q.region or not q.labels.is_chongqing(q.region):
        return []
    others = tuple(r for r in q.labels.chongqing if r != q.region)
    return [(Terms("region", others), 1.0, "region.chongqing", {})]


def _availability(q: TalentInputs) -> list:
    if q.kind != TALENT:
        return []
    return [(Best("availability", AVAILABILITY_CREDIT), 1.0, "talent.available", {})]


SIGNALS: tuple[Signal, ...] = (
    Signal("speciality", "speciality", True, _speciality),
    Signal("cluster", "cluster", True, _cluster),
    Signal("cluster_related", "cluster", True, _cluster_related),
    Signal("text", "text", True, _text),
    Signal("meaning", "text", False, _meaning),
    Signal("title", "seniority", False, _title),
    Signal("experience", "seniority", False, _experience),
    Signal("region", "region", False, _region),
    Signal("region_chongqing", "region", False, _region_chongqing),
    Signal("availability", "availability", False, _availability),
)
REASON_CODES = ("speciality", "cluster", "seniority", "text", "region", "availability")


def _explain(spec: Spec, code: str, fired: list, doc: Mapping) -> Reason:
    """A reason naming what the two sides share (codes; the app words them)."""
    q: TalentInputs = spec.context["inputs"]
    top = fired[0][0]
    if code == "speciality":
        shared = tuple(s for s in doc.get("specialities") or () if s in q.specialities)
        return Reason(code, "talent.speciality", {"services": shared})
    if code == "cluster" and top.message == "cluster.same":
        shared = tuple(c for c in doc.get("clusters") or () if c in q.clusters)
        return Reason(code, "cluster.same", {"cluster": shared})
    if code == "cluster":
        mine = tuple(c for c in top.params["clusters"] if c in (doc.get("clusters") or ()))
        return Reason(code, "cluster.related", {"clusters": mine or top.params["clusters"]})
    if code == "availability":
        message = "talent.available" if doc.get("availability") == "available" else "talent.open"
        return Reason(code, message, {})
    return Reason(code, top.message, dict(top.params))


TABLE = Table(
    SIGNALS,
    REASON_CODES,
    _explain,
    lambda direction: load_model(str(MODEL_FILE), tuple(s.name for s in SIGNALS))["weights"],
)


def _exclude(exclude: Collection[int]) -> list:
    if not exclude:
        return []
    return [Not(Terms("id", tuple(sorted(int(i) for i in exclude))))]


def talent_spec(
    need: Mapping,
    taxonomy: Mapping,
    analyzer: Analyzer,
    exclude: Collection[int] = (),
    signal_weights: Mapping[str, float] | None = None,
    pool: str = TALENT,
) -> Spec:
    """Need record → how to score the people of ``pool`` (``TALENT`` or ``EXPERTS``)."""
    if pool not in (TALENT, EXPERTS):
        raise ValueError(f"not a pool of people: {pool!r}")
    q = need_inputs(need, taxonomy, analyzer)
    return build_spec(q, pool, _exclude(exclude), [], signal_weights, TABLE)


def opening_spec(
    profile: Mapping,
    taxonomy: Mapping,
    analyzer: Analyzer,
    exclude: Collection[int] = (),
    signal_weights: Mapping[str, float] | None = None,
) -> Spec:
    """A person's record → how to score open talent needs."""
    q = person_inputs(profile, taxonomy, analyzer)
    filters = [Term("status", OPEN), *_exclude(exclude)]
    return build_spec(q, OPENINGS, filters, [], signal_weights, TABLE)
