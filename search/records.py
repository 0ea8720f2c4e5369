"""What the app hands ``search/``: one typed shape per demand and per provider record.

Records are plain dicts of JSON-like values (picklable, so documents can be built in worker
processes). The app builds them from its rows in one place (``matchmaker/services/indexing.py``),
the judged set from its files (``scripts/judged_set.py``); ``search.documents`` turns them into
index documents and the matcher reads them as queries.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class CaseRecord(TypedDict):
    title: str
    description: str
    cluster: str | None
    year: int | None


class ProviderRecord(TypedDict):
    id: int
    version: int
    name: str
    kind: str | None
    level: str | None
    region: str | None
    clusters: list[str]
    services: list[str]
    description: str
    cases: list[CaseRecord]
    team_size: int | None
    price_min: int | None
    price_max: int | None
    verified: bool
    certifications: list[str]
    created_at: str | None  # ISO 8601
    # the enterprises' public reviews: a signal for the matcher, not ranked on yet
    rating: NotRequired[float | None]
    review_count: NotRequired[int]


class DemandRecord(TypedDict):
    id: int
    version: int
    title: str
    description: str
    cluster: str | None
    services: list[str]
    region: str | None
    budget_min: int | None
    budget_max: int | None
    deadline: str | None  # ISO 8601 dates and times
    status: str | None
    organization_name: str
    created_at: str | None
    published_at: str | None
