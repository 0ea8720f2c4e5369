"""Pure functions: app record (plain dict) → index document.

The same document feeds both backends. Text fields hold Python-segmented tokens joined
by single spaces (lower-case), analysed by Elasticsearch's ``whitespace`` analyzer and by
the embedded backend's own inverted index.

Provider document fields: ``id version name kind level region clusters services
case_clusters verified team_size price_min price_max price_lo price_hi recommended_count
answered_count answer_rate created_at sort_date text case_text keywords cases``. ``cases`` keeps each case's
title, cluster and tokens (stored, not indexed) so reasons can name the relevant case.

Demand document fields: ``id version title cluster services service_norm region
budget_min budget_max budget_sort budget_lo budget_hi deadline status organization_name created_at
published_at sort_date text keywords``.
"""
from __future__ import annotations

from collections.abc import Mapping

from .text import Analyzer


def _int_or_none(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first(*values) -> int | None:
    for value in values:
        value = _int_or_none(value)
        if value is not None:
            return value
    return None


def _codes(values) -> list[str]:
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    return list(dict.fromkeys(str(v) for v in values if v))


def _labels(taxonomy: Mapping, section: str, codes) -> str:
    by_code = {item["code"]: item for item in taxonomy.get(section, ())}
    out = []
    for code in codes:
        item = by_code.get(code)
        if item:
            out.append(item.get("zh", ""))
            out.extend(item.get("aliases") or ())
    return " ".join(out)


def answer_rate(record: Mapping) -> float:
    """answered / recommended; 1.0 for a provider never recommended (new → no penalty)."""
    recommended = _int_or_none(record.get("recommended_count")) or 0
    answered = _int_or_none(record.get("answered_count")) or 0
    if recommended <= 0:
        return 1.0
    return round(min(1.0, answered / recommended), 4)


def provider_document(record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    clusters = _codes(record.get("clusters"))
    services = _codes(record.get("services"))
    cases = []
    case_texts = []
    case_clusters = []
    for case in record.get("cases") or ():
        title = case.get("title") or ""
        description = case.get("description") or ""
        tokens = analyzer.tokens(f"{title} {description}")
        cluster = case.get("cluster") or None
        cases.append({"title": title, "cluster": cluster, "year": _int_or_none(case.get("year")),
                      "tokens": " ".join(tokens)})
        case_texts.append(" ".join(tokens))
        if cluster and cluster not in case_clusters:
            case_clusters.append(cluster)
    name = record.get("name") or ""
    return {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "name": name,
        "kind": record.get("kind") or None,
        "level": record.get("level") or "none",
        "region": record.get("region") or None,
        "clusters": clusters,
        "services": services,
        "case_clusters": case_clusters,
        "verified": bool(record.get("verified")),
        "team_size": _int_or_none(record.get("team_size")),
        "price_min": _int_or_none(record.get("price_min")),
        "price_max": _int_or_none(record.get("price_max")),
        "recommended_count": _int_or_none(record.get("recommended_count")) or 0,
        "answered_count": _int_or_none(record.get("answered_count")) or 0,
        "answer_rate": answer_rate(record),
        "price_lo": _first(record.get("price_min"), record.get("price_max")),
        "price_hi": _first(record.get("price_max"), record.get("price_min")),
        "created_at": record.get("created_at") or None,
        "sort_date": record.get("created_at") or None,
        "text": analyzer.segment(f"{name} {record.get('description') or ''}"),
        "case_text": " ".join(case_texts),
        "keywords": analyzer.segment(
            " ".join([_labels(taxonomy, "clusters", clusters), _labels(taxonomy, "services", services)])),
        "cases": cases,
    }


def demand_document(record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    services = _codes(record.get("services"))
    cluster = record.get("cluster") or None
    budget_min = _int_or_none(record.get("budget_min"))
    budget_max = _int_or_none(record.get("budget_max"))
    title = record.get("title") or ""
    created_at = record.get("created_at") or None
    published_at = record.get("published_at") or None
    return {
        "id": int(record["id"]),
        "version": int(record.get("version") or 1),
        "title": title,
        "cluster": cluster,
        "services": services,
        "service_norm": round(1.0 / len(services), 6) if services else 0.0,
        "region": record.get("region") or None,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "budget_sort": budget_max if budget_max is not None else budget_min,
        "budget_lo": budget_min if budget_min is not None else budget_max,
        "budget_hi": budget_max if budget_max is not None else budget_min,
        "deadline": record.get("deadline") or None,
        "status": record.get("status") or None,
        "organization_name": record.get("organization_name") or "",
        "created_at": created_at,
        "published_at": published_at,
        "sort_date": published_at or created_at,
        "text": analyzer.segment(f"{title} {record.get('description') or ''}"),
        "keywords": analyzer.segment(
            " ".join([_labels(taxonomy, "clusters", [cluster] if cluster else []),
                      _labels(taxonomy, "services", services)])),
    }


def build_document(index: str, record: Mapping, analyzer: Analyzer, taxonomy: Mapping) -> dict:
    if index == "providers":
        return provider_document(record, analyzer, taxonomy)
    if index == "demands":
        return demand_document(record, analyzer, taxonomy)
    raise ValueError(f"unknown index {index!r}")
