"""Input schemas of the talent pool: the API, the forms and the demo validate with these."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from ...schemas import (
    AvailabilityCode,
    ClusterCode,
    Clusters,
    EducationCode,
    LongText,
    NotBelow,
    RecordId,
    RegionCode,
    Services,
    Strict,
    Text200,
    TitleCode,
)

MAX_SALARY = 1_000_000  # monthly CNY
Years = Annotated[int, Field(ge=0, le=60, description="Years of experience")]
Salary = Annotated[int, Field(ge=0, le=MAX_SALARY, description="Monthly salary, integer CNY")]


class TalentWorkIn(Strict):
    """A portfolio item (作品)."""

    title: Text200
    description: Annotated[str, Field(max_length=5000)] = ""
    cluster: ClusterCode | None = None
    year: Annotated[int, Field(ge=1950, le=2100)] | None = None


class TalentProfileIn(Strict):
    """Body of POST /api/v1/talent/profile: a person's own profile."""

    specialities: Services = Field(description="Design services the person practises (codes)")
    clusters: Clusters
    years_experience: Years = 0
    professional_title: TitleCode = "none"
    education: EducationCode | None = None
    region: RegionCode
    employer_id: RecordId | None = Field(
        None, description="The employer, when it is an organisation on the platform (its id)"
    )
    bio: Annotated[str, Field(max_length=5000)] = ""
    availability: AvailabilityCode = "open"
    listed: bool = Field(
        True, description="Show the anonymised card in the talent pool and in recommendations"
    )
    works: Annotated[list[TalentWorkIn], Field(max_length=50)] = []


class TalentNeedIn(Strict):
    """Body of POST /api/v1/talent-needs."""

    title: Text200 = Field(examples=["工业设计师（结构方向）"])
    description: LongText
    specialities: Services
    clusters: Clusters
    min_title: TitleCode = "none"
    min_years: Years = 0
    headcount: Annotated[int, Field(ge=1, le=999)] = 1
    region: RegionCode
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    organization_id: RecordId | None = Field(
        None, description="Administrators post for an organisation (its id); others for their own"
    )

    rules: ClassVar = (NotBelow("salary_min", "salary_max"),)


class ContactIn(Strict):
    """Body of POST /api/v1/talent/{id}/contacts: ask a person to get in touch."""

    need_id: RecordId = Field(description="One of the organisation's open talent needs")
    message: Annotated[str, Field(min_length=1, max_length=2000)]
