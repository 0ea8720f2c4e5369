"""Input schemas of diagnostic visits: the API and the forms validate with these."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ... import china_time
from ...schemas import (
    ClusterCode,
    LongText,
    Money,
    NotBelow,
    RecordId,
    ServiceCode,
    Strict,
    Text200,
)

PRIORITIES = ("high", "medium", "low")


def _not_in_the_past(days: list[dt.date]) -> list[dt.date]:
    """Preferred visit dates are today or later (China time)."""
    if any(day < china_time.today() for day in days):
        raise PydanticCustomError("past_date", "must not be in the past")
    return days


class DiagnosisRequestIn(Strict):
    """Body of POST /api/v1/diagnosis-requests."""

    product_line: Text200 = Field(description="The product line to diagnose", examples=["数控机床"])
    problems: LongText = Field(description="What goes wrong, as the enterprise sees it")
    cluster: ClusterCode
    services: Annotated[list[ServiceCode], Field(max_length=39)] = Field(
        default_factory=list, description="Design services the enterprise thinks of (optional)"
    )
    preferred_dates: Annotated[
        list[dt.date], Field(max_length=3), AfterValidator(_not_in_the_past)
    ] = Field(
        default_factory=list, description="Up to three preferred visit dates, not in the past"
    )
    organization_id: RecordId | None = Field(
        None, description="Administrators propose a diagnosis to an enterprise (its id)"
    )


class VisitIn(Strict):
    """Body of POST /api/v1/diagnosis-requests/{id}/visit (administrators)."""

    visit_at: dt.datetime = Field(description="China time (UTC+8), without a zone; in the future")
    place: Text200
    note: Annotated[str, Field(max_length=2000)] = ""


class RecommendationIn(Strict):
    service: ServiceCode
    title: Text200
    description: Annotated[str, Field(max_length=5000)] = ""
    priority: Literal["high", "medium", "low"] = "medium"
    budget_min: Money | None = None
    budget_max: Money | None = None

    rules: ClassVar = (NotBelow("budget_min", "budget_max"),)


MAX_RECOMMENDATIONS = 20  # a visit report, not a catalogue


class ReportIn(Strict):
    """Body of PUT /api/v1/diagnosis-requests/{id}/report (the assigned expert)."""

    summary: Annotated[str, Field(min_length=1, max_length=5000)]
    findings: LongText
    recommendations: Annotated[
        list[RecommendationIn], Field(min_length=1, max_length=MAX_RECOMMENDATIONS)
    ]
    submit: bool = Field(False, description="true files the report (final); false keeps a draft")
