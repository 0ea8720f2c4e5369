"""What administrators and applicants send: a round, an application, a check, a decision."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from ...schemas import LevelCode, Money, RecordId, RequiredWhen, Strict
from ..rubric_library import SelectionIn

Count = Annotated[int, Field(ge=0, le=100000)]
Text = Annotated[str, Field(max_length=5000)]

Material = Literal["team", "investment", "achievements", "cases", "files", "certificate"]

# what an application must carry before review, by kind
MATERIALS = {
    "apply": ("team", "investment", "achievements", "cases", "files"),
    "record": ("certificate", "files"),
}


class RoundIn(SelectionIn):
    title: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        examples=["2026年度永川区区级工业设计中心认定"]
    )
    level: LevelCode = "district"
    pass_mark: Annotated[int, Field(ge=0, le=100)] = 70
    valid_years: Annotated[int, Field(ge=1, le=10)] = 3


class ApplicationIn(Strict):
    """``apply``: a district-level application in an open round, scored by experts;
    ``record``: a municipal or national recognition already held, with its certificate."""

    kind: Literal["apply", "record"] = "apply"
    round_id: RecordId | None = None
    level: LevelCode | None = Field(None, description="record only: the certificate's level")
    renewal_of_id: RecordId | None = Field(
        None, description="the recognition this application re-reviews"
    )
    team_size: Count | None = None
    designers: Count | None = None
    investment: Money | None = Field(None, description="CNY of design spending a year")
    achievements: Text = ""
    case_ids: Annotated[list[RecordId], Field(max_length=20)] = []
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
