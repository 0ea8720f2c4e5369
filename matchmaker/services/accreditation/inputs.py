"""What administrators and applicants send: a round, an application, a check, a decision."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ...schemas import LevelCode, RequiredWhen, Strict

Count = Annotated[int, Field(ge=0, le=100000)]
Money = Annotated[int, Field(ge=0, le=2_000_000_000)]
Text = Annotated[str, Field(max_length=5000)]

Material = Literal["team", "investment", "achievements", "cases", "files", "certificate"]

# what an application must carry before review, by kind
MATERIALS = {
    "apply": ("team", "investment", "achievements", "cases", "files"),
    "record": ("certificate", "files"),
}


class RoundIn(Strict):
    title: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        examples=["2026年度永川区区级工业设计中心认定"]
    )
    year: Annotated[int, Field(ge=2000, le=2100)]
    level: LevelCode = "district"
    rubric_id: Annotated[int, Field(ge=1)] | None = Field(
        None, description="A rubric of the library (its current version); instead of criteria"
    )
    criteria: list[dict[str, Any]] = Field(
        [],
        description="[{name, weight}], weights add up to 100; stored with codes c1, c2 …; "
        "needed unless rubric_id is given",
        examples=[[{"name": "设计团队", "weight": 40}, {"name": "设计成果", "weight": 60}]],
    )
    pass_mark: Annotated[int, Field(ge=0, le=100)] = 70
    min_reviewers: Annotated[int, Field(ge=1, le=9)] = 2
    valid_years: Annotated[int, Field(ge=1, le=10)] = 3
    closes_on: dt.date


class ApplicationIn(Strict):
    """``apply``: a district-level application in an open round, scored by experts;
    ``record``: a municipal or national recognition already held, with its certificate."""

    kind: Literal["apply", "record"] = "apply"
    round_id: Annotated[int, Field(ge=1)] | None = None
    level: LevelCode | None = Field(None, description="record only: the certificate's level")
    renewal_of_id: Annotated[int, Field(ge=1)] | None = Field(
        None, description="the recognition this application re-reviews"
    )
    team_size: Count | None = None
    designers: Count | None = None
    investment: Money | None = Field(None, description="CNY of design spending a year")
    achievements: Text = ""
    case_ids: Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=20)] = []
    certificate_no: Annotated[str, Field(max_length=100)] = ""
    valid_until: dt.date | None = Field(None, description="record only: the certificate's")

    rules: ClassVar = (
        RequiredWhen("round_id", when="kind", equals="apply"),
        RequiredWhen("level", when="kind", equals="record"),
        RequiredWhen("valid_until", when="kind", equals="record"),
    )


class CheckIn(Strict):
    """The completeness check: accepted for review, or returned with what is missing."""

    complete: bool
    missing: list[Material] = []
    note: Annotated[str, Field(max_length=2000)] = ""


class DecisionIn(Strict):
    approve: bool
    reason: Annotated[str, Field(max_length=2000)] = ""
