"""Query-string and response models of the JSON API.

Request bodies are validated with the shared input models in ``matchmaker.schemas``;
this module adds the query-string models (validated the same way) and the response
models the serialisers build, so the OpenAPI document describes exactly what is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ..schemas import (
    AvailabilityCode,
    CleanText,
    ClusterCode,
    KindCode,
    LevelCode,
    Money,
    RecordId,
    RegionCode,
    ServiceCode,
    TitleCode,
)

# --- query strings -------------------------------------------------------------------------


class Query(CleanText):
    """Query-string parameters: unknown names are rejected so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Page = Annotated[int, Field(ge=1, le=10_000, description="1-based page number")]
PerPage = Annotated[int, Field(ge=1, le=100, description="Items per page (1–100)")]
Text = Annotated[str, Field(max_length=200, description="Full-text query (Chinese or English)")]


class SearchParams(Query):
    q: Text = ""
    cluster: list[ClusterCode] = Field(
        default_factory=list, max_length=16, description="Repeatable; values are OR-ed"
    )
    service: list[ServiceCode] = Field(
        default_factory=list, max_length=39, description="Repeatable; values are OR-ed"
    )
    region: list[RegionCode] = Field(
        default_factory=list, max_length=38, description="Repeatable; values are OR-ed"
    )
    page: Page = 1
    per_page: PerPage = 20


class DemandSearchParams(SearchParams):
    budget_min: Money | None = Field(None, description="Keep demands whose budget range overlaps")
    budget_max: Money | None = Field(None, description="Keep demands whose budget range overlaps")
    sort: Literal["relevance", "newest", "budget"] = "relevance"

    @model_validator(mode="after")
    def _budget_range(self) -> DemandSearchParams:
        if (
            self.budget_min is not None
            and self.budget_max is not None
            and self.budget_max < self.budget_min
        ):
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    {
                        "type": PydanticCustomError(
                            "range", "must be ≥ {other}", {"other": "budget_min"}
                        ),
                        "loc": ("budget_max",),
                        "input": self.budget_max,
                    }
                ],
            )
        return self


class ProviderSearchParams(SearchParams):
    level: list[LevelCode] = Field(
        default_factory=list, max_length=4, description="Repeatable; OR-ed"
    )
    kind: list[KindCode] = Field(
        default_factory=list, max_length=6, description="Repeatable; OR-ed"
    )
    verified: bool | None = Field(
        None, description="Only verified (true) or unverified (false) providers"
    )
    sort: Literal["relevance", "newest"] = "relevance"


class LimitParams(Query):
    limit: Annotated[int, Field(ge=1, le=100, description="How many items (1–100)")] = 10


# --- responses -------------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenOut(Out):
    token: str = Field(description="Send as `Authorization: Bearer <token>`")
    expires_at: dt.datetime = Field(description="UTC, ISO 8601")


class TokenInfo(Out):
    id: int
    created_at: dt.datetime = Field(description="UTC, ISO 8601")
    expires_at: dt.datetime = Field(description="UTC, ISO 8601")
    current: bool = Field(description="Whether this request was made with it")


class TokenList(Out):
    items: list[TokenInfo] = Field(description="The caller's live tokens, newest first")


class ErrorBody(Out):
    code: Literal[
        "bad_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "conflict",
        "too_large",
        "validation_error",
        "rate_limited",
        "unavailable",
    ]
    message: str
    fields: dict[str, list[str]] | None = Field(
        None, description="Per-field messages (validation errors and some conflicts)"
    )
    reason: Literal["email_unconfirmed"] | None = Field(
        None,
        description="Why a 403 was given, when the caller can act on it: `email_unconfirmed` "
        "— the account's e-mail address is not confirmed yet",
    )


class ErrorOut(Out):
    error: ErrorBody


class TaxonomyItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    zh: str
    en: str
    aliases: list[str] = []


class TaxonomyOut(Out):
    clusters: list[TaxonomyItem]
    services: list[TaxonomyItem]
    regions: list[TaxonomyItem]
    provider_kinds: list[TaxonomyItem]
    provider_levels: list[TaxonomyItem]


class CaseOut(Out):
    id: int
    title: str
    description: str
    cluster: str | None
    year: int | None


class ProviderOut(Out):
    id: int
    name: str
    kind: str | None
    level: str
    region: str
    clusters: list[str]
    services: list[str]
    description: str
    team_size: int | None
    price_min: int | None
    price_max: int | None
    cases: list[CaseOut]
    certifications: list[str]
    verified: bool
    external_id: str | None = Field(
        description="Shown to the provider itself and to admins; null for others"
    )
    version: int = Field(
        description="Moves with every change; send it back with a PATCH (or as If-Match) to "
        "be told, with 409, when someone changed the record meanwhile"
    )
    rating: float | None = Field(
        None,
        description="Mean of the enterprises' public reviews (1–5, the three aspects "
        "averaged); null without any. Shown, not used in ranking.",
    )
    review_count: int = Field(0, description="How many public reviews the rating averages")


class OrganizationOut(Out):
    id: int
    name: str
    region: str


class DemandOut(Out):
    # The example is a provider's view: the posting enterprise is not named.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "title": "电动摩托车外观设计",
                    "description": "为新款电动摩托车设计外观造型与配色方案",
                    "cluster": "motorcycle",
                    "services": ["appearance-design"],
                    "budget_min": 100000,
                    "budget_max": 400000,
                    "deadline": "2027-03-31",
                    "region": "yongchuan",
                    "organization_id": None,
                    "organization": None,
                    "contact_preference": "platform",
                    "status": "published",
                    "external_id": None,
                    "created_at": "2026-10-08T02:15:00Z",
                    "published_at": "2026-10-09T06:40:00Z",
                    "version": 3,
                }
            ]
        },
    )

    id: int
    title: str
    description: str
    cluster: str
    services: list[str]
    budget_min: int | None
    budget_max: int | None
    deadline: dt.date | None
    region: str
    organization_id: int | None = Field(
        description="The posting enterprise; null for providers (anonymous until acceptance)"
    )
    organization: OrganizationOut | None = Field(
        description="The posting enterprise; null for providers (anonymous until acceptance)"
    )
    contact_preference: str
    status: Literal["draft", "in_review", "rejected", "published", "in_negotiation", "closed"]
    external_id: str | None = Field(
        description="Shown to the posting enterprise and to admins; null for others"
    )
    created_at: dt.datetime
    published_at: dt.datetime | None
    version: int = Field(
        description="Moves with every change; send it back with a PATCH (or as If-Match) to "
        "be told, with 409, when someone changed the record meanwhile"
    )


class FacetEntry(Out):
    code: str
    label: str = Field(description="Label in the request's language")
    count: int


class Facets(Out):
    cluster: list[FacetEntry] = []
    service: list[FacetEntry] = []
    region: list[FacetEntry] = []


class ProviderFacets(Facets):
    level: list[FacetEntry] = []
    kind: list[FacetEntry] = []


class ProviderPage(Out):
    items: list[ProviderOut]
    total: int
    page: int
    per_page: int
    facets: ProviderFacets


class DemandPage(Out):
    items: list[DemandOut]
    total: int
    page: int
    per_page: int
    facets: Facets


class ReasonOut(Out):
    code: Literal[
        "cluster", "service", "text", "region", "level", "verified", "budget", "activity", "case"
    ]
    label: str = Field(description="In the request's language")


class ProviderBrief(Out):
    id: int
    name: str
    kind: str | None
    level: str
    region: str


class MatchItem(Out):
    provider: ProviderBrief
    score: float
    reasons: list[ReasonOut]


class MatchesOut(Out):
    demand_id: int
    items: list[MatchItem] = Field(description="Best first; scores are non-increasing")


class DemandBrief(Out):
    id: int
    title: str
    cluster: str
    region: str
    budget_min: int | None
    budget_max: int | None
    deadline: dt.date | None


class LeadItem(Out):
    demand: DemandBrief
    score: float
    reasons: list[ReasonOut]


class LeadsOut(Out):
    provider_id: int
    items: list[LeadItem] = Field(description="Best first; scores are non-increasing")


class ContactPerson(Out):
    name: str | None
    organization: str
    email: str | None
    phone: str | None


class ContactOut(Out):
    enterprise: ContactPerson
    provider: ContactPerson


class InterestProvider(Out):
    id: int
    name: str


class InterestOut(Out):
    id: int
    demand_id: int
    provider: InterestProvider
    message: str
    price: int | None
    timeline_days: int | None
    status: Literal["pending", "accepted", "declined", "withdrawn"]
    contact: ContactOut | None = Field(
        description="Both sides' contact details once accepted, else null"
    )
    created_at: dt.datetime


class InterestList(Out):
    demand_id: int
    items: list[InterestOut]


# --- the talent pool ---------------------------------------------------------------------------

Repeat = "Repeatable; values are OR-ed"


class TalentSearchParams(Query):
    q: Text = Field(
        "", description="Matches taxonomy labels only: a profile's own words are private"
    )
    speciality: list[ServiceCode] = Field(default_factory=list, max_length=39, description=Repeat)
    cluster: list[ClusterCode] = Field(default_factory=list, max_length=16, description=Repeat)
    region: list[RegionCode] = Field(default_factory=list, max_length=38, description=Repeat)
    title: list[TitleCode] = Field(default_factory=list, max_length=5, description=Repeat)
    seniority: list[Literal["entry", "mid", "senior", "veteran"]] = Field(
        default_factory=list, max_length=4, description=Repeat
    )
    availability: list[AvailabilityCode] = Field(
        default_factory=list, max_length=3, description=Repeat
    )
    page: Page = 1
    per_page: PerPage = 20


class TalentNeedSearchParams(Query):
    q: Text = ""
    speciality: list[ServiceCode] = Field(default_factory=list, max_length=39, description=Repeat)
    cluster: list[ClusterCode] = Field(default_factory=list, max_length=16, description=Repeat)
    region: list[RegionCode] = Field(default_factory=list, max_length=38, description=Repeat)
    sort: Literal["relevance", "newest"] = "relevance"
    page: Page = 1
    per_page: PerPage = 20


class TalentCardOut(Out):
    """What anyone may know of a person in the pool: no name, contact, employer or words."""

    id: int
    specialities: list[str]
    clusters: list[str]
    professional_title: str
    seniority: str = Field(description="entry (0–2 years), mid (3–5), senior (6–10), veteran (10+)")
    region: str
    availability: str


class TalentWorkOut(Out):
    title: str
    description: str
    cluster: str | None
    year: int | None


class TalentProfileOut(Out):
    """The person's own profile (the person and administrators only)."""

    id: int
    specialities: list[str]
    clusters: list[str]
    years_experience: int
    professional_title: str
    seniority: str
    education: str | None
    region: str
    employer: OrganizationOut | None
    bio: str
    availability: str
    listed: bool
    works: list[TalentWorkOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class TalentFacets(Out):
    speciality: list[FacetEntry] = []
    cluster: list[FacetEntry] = []
    region: list[FacetEntry] = []
    title: list[FacetEntry] = []
    seniority: list[FacetEntry] = []
    availability: list[FacetEntry] = []


class TalentPage(Out):
    items: list[TalentCardOut]
    total: int
    page: int
    per_page: int
    facets: TalentFacets


class TalentNeedOut(Out):
    id: int
    title: str
    description: str
    specialities: list[str]
    clusters: list[str]
    min_title: str
    min_years: int
    headcount: int
    filled: int = Field(description="Places taken through hires on the platform")
    region: str
    salary_min: int | None = Field(description="Monthly, integer CNY")
    salary_max: int | None
    status: Literal["open", "closed"]
    close_reason: Literal["filled", "withdrawn"] | None
    organization: OrganizationOut
    created_at: dt.datetime


class TalentNeedFacets(Out):
    speciality: list[FacetEntry] = []
    cluster: list[FacetEntry] = []
    region: list[FacetEntry] = []


class TalentNeedPage(Out):
    items: list[TalentNeedOut]
    total: int
    page: int
    per_page: int
    facets: TalentNeedFacets


class TalentReasonOut(Out):
    code: Literal["speciality", "cluster", "seniority", "text", "region", "availability"]
    label: str = Field(description="In the request's language")


class TalentMatchItem(Out):
    talent: TalentCardOut
    score: float
    reasons: list[TalentReasonOut]


class TalentMatchesOut(Out):
    need_id: int
    items: list[TalentMatchItem] = Field(description="Best first; scores are non-increasing")


class OpeningItem(Out):
    need: TalentNeedOut
    score: float
    reasons: list[TalentReasonOut]


class OpeningsOut(Out):
    profile_id: int
    items: list[OpeningItem] = Field(description="Best first; scores are non-increasing")


class TalentPerson(Out):
    name: str | None
    email: str | None
    phone: str | None


class TalentContactDetails(Out):
    person: TalentPerson
    organization: ContactPerson


class TalentContactOut(Out):
    id: int
    need: TalentNeedOut
    talent_id: int = Field(description="The card's id")
    message: str
    status: Literal["pending", "accepted", "declined", "hired"]
    contact: TalentContactDetails | None = Field(
        description="Both sides' names and contact details once the person accepted, else null"
    )
    created_at: dt.datetime
    decided_at: dt.datetime | None


class TalentContactList(Out):
    items: list[TalentContactOut]


class TalentExportOut(Out):
    """Everything the platform holds about the person (GET /talent/profile/export)."""

    exported_at: dt.datetime
    account: dict[str, Any]
    profile: dict[str, Any] | None
    contacts: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    expert: dict[str, Any] | None


# --- diagnostic visits -----------------------------------------------------------------------


class DiagnosisListParams(Query):
    status: (
        Literal["open", "requested", "assigned", "scheduled", "reported", "cancelled"] | None
    ) = Field(None, description="open = requested, assigned or scheduled")


class ExpertBrief(Out):
    id: int
    name: str
    title: str


class RecommendationOut(Out):
    id: int
    service: str
    title: str
    description: str
    priority: Literal["high", "medium", "low"]
    budget_min: int | None
    budget_max: int | None
    demand_id: int | None = Field(description="The draft demand made from it, if any")


class ReportOut(Out):
    summary: str
    findings: str
    submitted_at: dt.datetime | None = Field(description="null while the expert's draft")
    recommendations: list[RecommendationOut]


class DiagnosisOut(Out):
    id: int
    organization: OrganizationOut
    origin: Literal["enterprise", "admin"]
    cluster: str
    services: list[str]
    product_line: str
    problems: str
    preferred_dates: list[dt.date]
    status: Literal["requested", "assigned", "scheduled", "reported", "cancelled"]
    visit_at: dt.datetime | None = Field(description="UTC")
    place: str
    visit_note: str
    experts: list[ExpertBrief]
    providers: list[ProviderBrief]
    report: ReportOut | None = Field(
        description="A filed report for everyone who sees the request; a draft for its expert"
    )
    created_at: dt.datetime


class DiagnosisList(Out):
    items: list[DiagnosisOut]


class ExpertSuggestion(Out):
    expert: ExpertBrief
    score: float
    reasons: list[TalentReasonOut]


class ProviderSuggestion(Out):
    provider: ProviderBrief
    score: float
    reasons: list[ReasonOut]


class SuggestionsOut(Out):
    request_id: int
    experts: list[ExpertSuggestion] = Field(
        description="Never an expert in conflict with the enterprise, nor one already assigned"
    )
    providers: list[ProviderSuggestion]


class InterestListParams(Query):
    status: Literal["pending", "accepted", "declined", "withdrawn"] | None = Field(
        None, description="Only interests in this status"
    )
    page: Page = 1
    per_page: PerPage = 20


class InterestPage(Out):
    items: list[InterestOut] = Field(description="Newest first")
    total: int
    page: int
    per_page: int


class MessageAuthor(Out):
    side: Literal["enterprise", "provider"]
    name: str = Field(
        description="The provider's name; the enterprise's only once the interest is accepted "
        "(before that: 需求方 / the enterprise)"
    )


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(Out):
    id: int
    author: MessageAuthor
    body: str = Field(description="As stored: contact details masked when sent before acceptance")
    price: int | None = Field(description="With timeline_days: a counter-offer")
    timeline_days: int | None
    created_at: dt.datetime
    masked: bool = Field(description="Contact details were masked in this message")
    attachments: list[AttachmentOut] = []


class MessageList(Out):
    interest_id: int
    items: list[MessageOut] = Field(description="Oldest first")


class ReviewOut(Out):
    id: int
    interest_id: int
    side: Literal["enterprise", "provider"] = Field(description="The author's side")
    quality: int
    communication: int
    timeliness: int
    text: str
    created_at: dt.datetime


class ReviewAverage(Out):
    quality: float
    communication: float
    timeliness: float


class ReviewList(Out):
    items: list[ReviewOut] = Field(description="The enterprises' public reviews, newest first")
    average: ReviewAverage = Field(description="0 for each aspect when there is none")
    count: int


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


# --- design-centre accreditation ---------------------------------------------------------------


class CriterionOut(Out):
    code: str = Field(examples=["c1"])
    name: str = Field(examples=["设计团队"])
    weight: int = Field(description="Weights of a rubric add up to 100")
    scale: int = Field(10, description="Scored as a whole number from 0 to this")


class RubricOut(Out):
    id: int = Field(description="This version's id")
    family_id: int = Field(description="The first version's id: the same rubric across versions")
    version: int
    name: str
    scale: int = Field(description="Each criterion is scored as a whole number from 0 to this")
    criteria: list[CriterionOut]
    current: bool = Field(description="False once a newer version exists")
    scored: bool = Field(
        description="A selection using this version has scores: revising it makes a new version"
    )
    used_by: int = Field(description="Accreditation rounds and showcase years using this version")


class RubricList(Out):
    items: list[RubricOut]


class RoundOut(Out):
    id: int
    title: str
    year: int
    level: str
    criteria: list[CriterionOut]
    rubric_id: int | None = Field(description="The rubric of the library it uses, if any")
    pass_mark: int = Field(description="Of 100")
    min_reviewers: int
    valid_years: int
    closes_on: dt.date
    open: bool = Field(description="Applications are accepted until `closes_on` (China time)")


class RoundList(Out):
    items: list[RoundOut]


class RoundBrief(Out):
    id: int
    title: str
    year: int


class ExpertReviewOut(Out):
    expert: ExpertBrief
    scores: dict[str, int] = Field(description="Criterion code → 0–10")
    total: float | None = Field(description="Σ weight × score / 10, 0–100")
    comment: str
    submitted_at: dt.datetime | None


class PanelOut(Out):
    reviewers: int
    submitted: int
    score: float | None = Field(
        description="Mean of the submitted totals; from five reviewers on without the highest "
        "and the lowest"
    )
    trimmed: bool
    by_criterion: dict[str, float]
    spread: float | None


class RecognitionOut(Out):
    id: int
    organization: OrganizationOut
    provider_id: int | None
    level: str
    granted_on: dt.date
    valid_until: dt.date
    status: Literal["active", "expired", "renewed"]


class AccreditationOut(Out):
    id: int
    organization: OrganizationOut
    kind: Literal["apply", "record"]
    level: str
    status: Literal["submitted", "incomplete", "in_review", "approved", "rejected"]
    round: RoundBrief | None
    renewal_of_id: int | None
    team_size: int | None
    designers: int | None
    investment: int | None
    achievements: str
    case_ids: list[int]
    certificate_no: str
    valid_until: dt.date | None
    missing: list[str]
    check_note: str
    decision_reason: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    files: list[AttachmentOut]
    reviews: list[ExpertReviewOut] = Field(
        description="Admins: all; a reviewer: their own; the applicant: none"
    )
    panel: PanelOut | None = Field(
        description="Admins always; the applicant once decided; reviewers never"
    )
    recognition: RecognitionOut | None


class AccreditationList(Out):
    items: list[AccreditationOut]


class AccreditationListParams(Query):
    status: (
        Literal["open", "submitted", "incomplete", "in_review", "approved", "rejected"] | None
    ) = Field(None, description="open = submitted, incomplete or in review")


class ReviewerSuggestions(Out):
    subject_id: int = Field(description="The accreditation or showcase entry")
    experts: list[ExpertSuggestion] = Field(
        description="Never an expert in conflict with the organisation concerned, nor one "
        "already seated"
    )


class RegisterParams(Query):
    level: Literal["national", "municipal", "district"] | None = None
    region: RegionCode | None = None


class RegisterOut(Out):
    items: list[RecognitionOut]


# --- the good-design showcase ---------------------------------------------------------------------


class ShowcaseYearOut(Out):
    id: int
    year: int
    title: str
    criteria: list[CriterionOut]
    rubric_id: int | None = Field(description="The rubric of the library it uses, if any")
    min_reviewers: int
    closes_on: dt.date
    open: bool = Field(description="Submissions are accepted until `closes_on` (China time)")
    announced: bool


class ShowcaseYearList(Out):
    items: list[ShowcaseYearOut]


class ImageOut(Out):
    id: int
    purpose: Literal["before", "after"]
    url: str


class ShowcaseEntryOut(Out):
    id: int
    year: int
    provider: ProviderBrief
    source: Literal["deal", "case"]
    title: str
    cluster: str
    services: list[str]
    region: str
    problem: str
    design: str
    results: str
    sales_change_pct: int | None
    cost_change_pct: int | None
    awards: str
    status: Literal["submitted", "shortlisted", "winner", "not_selected"]
    images: list[ImageOut]
    reviews: list[ExpertReviewOut] = Field(description="Admins: all; a reviewer: its own")
    panel: PanelOut | None = Field(
        description="Admins always; the provider once the winners are announced"
    )


class ShowcaseEntryList(Out):
    items: list[ShowcaseEntryOut]


class ShowcaseParams(Query):
    cluster: ClusterCode | None = None
    service: ServiceCode | None = None
    region: RegionCode | None = None
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class ShowcaseEntryListParams(Query):
    year_id: RecordId | None = None


class RankedOut(Out):
    entry_id: int
    title: str
    provider: str
    status: Literal["submitted", "shortlisted", "winner", "not_selected"]
    panel: PanelOut


class RankingOut(Out):
    year_id: int
    items: list[RankedOut] = Field(description="Best score first; entries not scored yet last")


# --- cluster common needs ---------------------------------------------------------------------


class ProposalOut(Out):
    cluster: str
    similarity: float = Field(description="Mean pairwise similarity, 0–1")
    services: list[str] = Field(description="Services at least two of the demands name")
    demands: list[DemandOut]


class ProposalList(Out):
    threshold: float
    items: list[ProposalOut]


class ProposalParams(Query):
    threshold: Annotated[float, Field(ge=0.5, le=1)] = Field(
        0.7, description="Similarity (0.5–1) from which two demands count as alike"
    )
    cluster: ClusterCode | None = None


class ParticipantOut(Out):
    organization: OrganizationOut
    demand_id: int | None
    status: Literal["invited", "joined", "declined"]


class InvitationOut(Out):
    provider: ProviderBrief
    score: float | None
    status: Literal["invited", "interested", "declined"]
    note: str


class CommonNeedOut(Out):
    id: int
    cluster: str
    title: str
    brief: str
    services: list[str]
    similarity: float
    status: Literal["open", "matched", "won", "closed"]
    joined: int = Field(description="Enterprises that opted in")
    participants: list[ParticipantOut] = Field(
        description="Admins: every enterprise asked; an enterprise that joined and the chosen "
        "provider: those that joined; other providers: none (never who takes part)"
    )
    invitations: list[InvitationOut] = Field(description="Admins: all; a provider: its own")
    provider: ProviderBrief | None = Field(description="The provider chosen for the group")
    contract_value: int | None
    outcome_note: str


class CommonNeedList(Out):
    items: list[CommonNeedOut]


class ProjectMessageAuthor(Out):
    side: Literal["enterprise", "provider", "admin"]
    name: str = Field(
        description="The provider's name; 平台管理员 for an administrator; an enterprise's name "
        "for administrators, the enterprises and the chosen provider, otherwise 参与企业 N"
    )


class ProjectMessageOut(MessageOut):
    author: ProjectMessageAuthor
    body: str = Field(
        description="As stored: contact details masked when sent before a provider was chosen"
    )


class ProjectMessageList(Out):
    need_id: int
    unread: int = Field(description="Messages of other participants unread before this call")
    items: list[ProjectMessageOut] = Field(description="Oldest first")


class CommonNeedMatches(Out):
    need_id: int
    items: list[MatchItem] = Field(description="Best first; scores are non-increasing")
