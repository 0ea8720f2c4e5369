"""Talent rows as plain records for ``search/`` (``search.documents``): no names, no contacts."""

from __future__ import annotations

from ...models import Expert, TalentNeed, TalentProfile
from ...taxonomy import get_taxonomy


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def talent_record(profile: TalentProfile) -> dict:
    return {
        **_person(profile, profile.specialities, profile.professional_title),
        "availability": profile.availability,
        "bio": profile.bio or "",
        "works": [{"title": w.title, "description": w.description} for w in profile.works],
        "created_at": _iso(profile.created_at),
    }


def _person(row: TalentProfile | Expert, specialities, professional_title: str | None) -> dict:
    """What a person's record and an expert's have alike (their professional title and years
    read as ranks)."""
    taxonomy = get_taxonomy()
    return {
        "id": row.id,
        "version": row.index_version,
        "specialities": list(specialities or []),
        "clusters": list(row.clusters or []),
        "region": row.region,
        "title": professional_title,
        "title_rank": taxonomy.title_rank(professional_title),
        "years": row.years_experience,
        "seniority": taxonomy.seniority(row.years_experience),
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
    return {
        **_person(expert, expert.services, expert.professional_title),
        "availability": "available" if expert.active else "unavailable",
        "bio": f"{expert.title} {expert.bio or ''}",
        "works": [],
        "created_at": _iso(expert.admitted_at),
    }
