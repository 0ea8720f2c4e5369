"""Talent rows as plain records for ``search/`` (``search.documents``): no names, no contacts."""

from __future__ import annotations

from ...models import Expert, TalentNeed, TalentProfile
from ...taxonomy import get_taxonomy


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def talent_record(profile: TalentProfile) -> dict:
    taxonomy = get_taxonomy()
    return {
        "id": profile.id,
        "version": profile.index_version,
        "specialities": list(profile.specialities or []),
        "clusters": list(profile.clusters or []),
        "region": profile.region,
        "title": profile.professional_title,
        "title_rank": taxonomy.title_rank(profile.professional_title),
        "years": profile.years_experience,
        "seniority": taxonomy.seniority(profile.years_experience),
        "availability": profile.availability,
        "bio": profile.bio or "",
        "works": [{"title": w.title, "description": w.description} for w in profile.works],
        "created_at": _iso(profile.created_at),
    }


def opening_record(need: TalentNeed) -> dict:
    return {
        "id": need.id,
        "version": need.index_version,
        "title": need.title,
        "description": need.description,
        "specialities": list(need.specialities or []),
        "clusters": list(need.clusters or []),
        "region": need.region,
        "title_min_rank": get_taxonomy().title_rank(need.min_title),
        "years_min": need.min_years,
        "headcount": need.headcount,
        "salary_min": need.salary_min,
        "salary_max": need.salary_max,
        "status": need.status,
        "created_at": _iso(need.created_at),
    }


def expert_record(expert: Expert) -> dict:
    """An expert in the shape of a person's record: the expert pool is matched the same way."""
    taxonomy = get_taxonomy()
    return {
        "id": expert.id,
        "version": expert.index_version,
        "specialities": list(expert.services or []),
        "clusters": list(expert.clusters or []),
        "region": expert.region,
        "title": expert.professional_title,
        "title_rank": taxonomy.title_rank(expert.professional_title),
        "years": expert.years_experience,
        "seniority": taxonomy.seniority(expert.years_experience),
        "availability": "available" if expert.active else "unavailable",
        "bio": f"{expert.title} {expert.bio or ''}",
        "works": [],
        "created_at": _iso(expert.admitted_at),
    }
