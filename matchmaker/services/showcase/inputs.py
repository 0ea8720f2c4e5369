"""What administrators and providers send: a year's call, an entry, a shortlist, winners."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ...schemas import ClusterCode, RecordId, RequiredWhen, ServiceCode, Strict
from ..rubric_library import SelectionIn

Percent = Annotated[int, Field(ge=-100, le=10000)]


class YearIn(SelectionIn):
    title: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        examples=["2026“重庆好设计”评选"]
    )


class EntryIn(Strict):
    """A won deal (``interest_id`` of the provider's accepted interest on a demand marked won)
    or a portfolio case (``case_id``)."""

    year_id: RecordId
    source: Literal["deal", "case"]
    interest_id: RecordId | None = None
    case_id: RecordId | None = None
    title: Annotated[str, Field(min_length=1, max_length=200)]
    cluster: ClusterCode | None = Field(None, description="Defaults to the deal's or case's")
    services: Annotated[list[ServiceCode], Field(min_length=1, max_length=10)]
    problem: Annotated[str, Field(min_length=1, max_length=5000)]
    design: Annotated[str, Field(min_length=1, max_length=5000)]
    results: Annotated[str, Field(max_length=5000)] = ""
    sales_change_pct: Percent | None = Field(None, description="Sales change after, in %")
    cost_change_pct: Percent | None = Field(None, description="Cost change after, in %")
    awards: Annotated[str, Field(max_length=500)] = ""

    rules: ClassVar = (
        RequiredWhen("interest_id", when="source", equals="deal"),
        RequiredWhen("case_id", when="source", equals="case"),
    )


class PickIn(Strict):
    """Entries of the year to shortlist, or the winners among the shortlist."""

    entry_ids: Annotated[list[RecordId], Field(min_length=1, max_length=100)]
