"""Rows → response models (``schemas.py``). Labels follow the request's language."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from flask_babel import get_locale
from flask_babel import gettext as _

from search import FacetValue, Reason

from ..china_time import today as local_today
from ..models import (
    Accreditation,
    AccreditationRound,
    Attachment,
    CommonNeed,
    Demand,
    DiagnosisRequest,
    Expert,
    Interest,
    InterestStatus,
    Message,
    Organization,
    Provider,
    Recognition,
    Review,
    Rubric,
    ShowcaseEntry,
    ShowcaseYear,
    Side,
    TalentContact,
    TalentNeed,
    TalentProfile,
    User,
)
from ..reasons import reason_label
from ..services import interests as interest_service
from ..services.access import owns
from ..services.accreditation import reviews as accreditation_reviews
from ..services.common_needs import projects as common_need_projects
from ..services.diagnosis import reports as diagnosis_reports
from ..services.lead_shape import Lead, demand_terms
from ..services.provider_listing import ListedProvider
from ..services.showcase import selection as showcase_selection
from ..services.talent import contacts as talent_contacts
from ..services.talent.cards import TalentCard
from ..taxonomy import get_taxonomy
from . import schemas as s

Item = TypeVar("Item")

log = logging.getLogger(__name__)

REASON_CODES = (
    "cluster",
    "service",
    "text",
    "region",
    "level",
    "verified",
    "budget",
    "activity",
    "case",
)
FACET_VOCABULARIES = {
    "cluster": "clusters",
    "service": "services",
    "region": "regions",
    "level": "provider_levels",
    "kind": "provider_kinds",
}


def locale() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored datetimes are naive UTC; send them with their zone (``…Z``)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def provider(
    row: Provider | ListedProvider, viewer: User | None, rating: tuple[float, int] | None = None
) -> s.ProviderOut:
    """``rating``: (rating, review count) from ``ratings.ratings``, loaded for a page at once;
    ``row`` an ORM row or a search's plain record (``provider_listing``)."""
    org = row.organization
    return s.ProviderOut(
        id=row.id,
        name=org.name,
        kind=org.kind,
        level=org.level or "none",
        region=org.region,
        clusters=list(row.clusters or []),
        services=list(row.services or []),
        description=row.description or "",
        team_size=row.team_size,
        price_min=row.price_min,
        price_max=row.price_max,
        cases=[
            s.CaseOut(
                id=c.id,
                title=c.title,
                description=c.description or "",
                cluster=c.cluster,
                year=c.year,
            )
            for c in row.cases
        ],
        certifications=list(row.certifications or []),
        verified=bool(org.verified),
        external_id=row.external_id if owns(viewer, row.organization_id) else None,
        version=row.version,
        rating=rating[0] if rating else None,
        review_count=rating[1] if rating else 0,
    )


def provider_brief(row: Provider) -> s.ProviderBrief:
    org = row.organization
    return s.ProviderBrief(
        id=row.id, name=org.name, kind=org.kind, level=org.level or "none", region=org.region
    )


def demand(shown: Demand | Lead) -> s.DemandOut:
    """One serialiser per audience; the service chose the shape (``lead_shape.shown_to``)."""
    return lead(shown) if isinstance(shown, Lead) else _own_demand(shown)


def _demand_fields(row: Demand | Lead) -> dict:
    return {
        "id": row.id,
        **demand_terms(row),
        "status": row.status,
        "created_at": utc(row.created_at),
        "published_at": utc(row.published_at),
        "version": row.version,
    }


def _own_demand(row: Demand) -> s.DemandOut:
    """For the posting organisation and administrators: everything."""
    org = row.organization
    return s.DemandOut(
        **_demand_fields(row),
        organization_id=row.organization_id,
        organization=s.OrganizationOut(id=org.id, name=org.name, region=org.region),
        external_id=row.external_id,
    )


def lead(row: Lead) -> s.DemandOut:
    """For providers: who posted the demand is not said (null)."""
    return s.DemandOut(
        **_demand_fields(row), organization_id=None, organization=None, external_id=None
    )


def demand_brief(row: Demand | Lead) -> s.DemandBrief:
    return s.DemandBrief(
        id=row.id,
        title=row.title,
        cluster=row.cluster,
        region=row.region,
        budget_min=row.budget_min,
        budget_max=row.budget_max,
        deadline=row.deadline,
    )


def reasons(items: Iterable[Reason], language: str | None = None) -> list[s.ReasonOut]:
    language = language or locale()
    out = []
    for reason in items:
        if reason.code not in REASON_CODES:
            log.warning("dropping reason with unknown code %r", reason.code)
            continue
        out.append(s.ReasonOut(code=reason.code, label=reason_label(reason, language)))
    return out


def score(value: float) -> float:
    return round(float(value), 4)


def facets(
    raw: Mapping[str, list[FacetValue]],
    model: type[s.Out],
    vocabularies: Mapping[str, str] = FACET_VOCABULARIES,
) -> s.Out:
    """Facet counts with labels; ``vocabularies`` maps each facet to its vocabulary."""
    taxonomy, language = get_taxonomy(), locale()
    out = {}
    for name, values in raw.items():
        vocabulary = vocabularies.get(name)
        if vocabulary is None or name not in model.model_fields:
            continue
        labels = taxonomy.vocabulary(vocabulary)
        out[name] = [
            s.FacetEntry(code=v.code, label=labels.label(v.code, language), count=v.count)
            for v in values
        ]
    return model(**out)


def interest(row: Interest, reader: User | None) -> s.InterestOut:
    """``contact`` stays null for a reader whose own address is not confirmed yet."""
    contact = interest_service.contact(row, reader)
    return s.InterestOut(
        id=row.id,
        demand_id=row.demand_id,
        provider=s.InterestProvider(id=row.provider_id, name=row.provider.organization.name),
        message=row.message,
        price=row.price,
        timeline_days=row.timeline_days,
        status=row.status,
        contact=s.ContactOut(**contact) if contact else None,
        created_at=utc(row.created_at),
    )


# --- the talent pool ---------------------------------------------------------------------------

TALENT_FACETS = {
    "speciality": "services",
    "cluster": "clusters",
    "region": "regions",
    "title": "professional_titles",
    "seniority": "seniority_bands",
    "availability": "availability",
}


def talent_card(card: TalentCard) -> s.TalentCardOut:
    return s.TalentCardOut(
        id=card.id,
        specialities=list(card.specialities),
        clusters=list(card.clusters),
        professional_title=card.professional_title,
        seniority=card.seniority,
        region=card.region,
        availability=card.availability,
    )


def _organization(org: Organization) -> s.OrganizationOut:
    return s.OrganizationOut(id=org.id, name=org.name, region=org.region)


def talent_profile(row: TalentProfile) -> s.TalentProfileOut:
    """For the person and administrators only (the services decide who gets which shape)."""
    return s.TalentProfileOut(
        id=row.id,
        specialities=list(row.specialities),
        clusters=list(row.clusters),
        years_experience=row.years_experience,
        professional_title=row.professional_title,
        seniority=get_taxonomy().seniority(row.years_experience),
        education=row.education,
        region=row.region,
        employer=_organization(row.employer) if row.employer else None,
        bio=row.bio,
        availability=row.availability,
        listed=row.listed,
        works=[
            s.TalentWorkOut(
                title=w.title, description=w.description, cluster=w.cluster, year=w.year
            )
            for w in row.works
        ],
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def talent_need(row: TalentNeed) -> s.TalentNeedOut:
    return s.TalentNeedOut(
        id=row.id,
        title=row.title,
        description=row.description,
        specialities=list(row.specialities),
        clusters=list(row.clusters),
        min_title=row.min_title,
        min_years=row.min_years,
        headcount=row.headcount,
        filled=row.filled,
        region=row.region,
        salary_min=row.salary_min,
        salary_max=row.salary_max,
        status=row.status,
        close_reason=row.close_reason,
        organization=_organization(row.organization),
        created_at=utc(row.created_at),
    )


def talent_reasons(items: Iterable[Reason]) -> list[s.TalentReasonOut]:
    return [s.TalentReasonOut(code=r.code, label=reason_label(r)) for r in items]


def talent_contact(row: TalentContact, reader: User | None) -> s.TalentContactOut:
    shared = talent_contacts.details(row, reader)
    return s.TalentContactOut(
        id=row.id,
        need=talent_need(row.need),
        talent_id=row.profile_id,
        message=row.message,
        status=row.status,
        contact=(
            s.TalentContactDetails(
                person=s.TalentPerson(**shared["person"]),
                organization=s.ContactPerson(**shared["organization"]),
            )
            if shared
            else None
        ),
        created_at=utc(row.created_at),
        decided_at=utc(row.decided_at),
    )


# --- diagnostic visits ---------------------------------------------------------------------------


def expert_brief(row: Expert) -> s.ExpertBrief:
    return s.ExpertBrief(id=row.id, name=row.name, title=row.title)


def scored(
    matches: Iterable, item: Callable[..., Item], field: str, record: Callable, why: Callable
) -> list[Item]:
    """A matcher's answers (``services.matching.Match``: a row and its hit) as response items:
    the row shown by ``record`` under ``field``, the rounded score, the reasons shown by
    ``why``."""
    return [
        item(**{field: record(m.record)}, score=score(m.hit.score), reasons=why(m.hit.reasons))
        for m in matches
    ]


def match_items(matches: Iterable) -> list[s.MatchItem]:
    """Providers from the design matcher, with reasons (the language looked up once a list)."""
    language = locale()
    return scored(
        matches, s.MatchItem, "provider", provider_brief, lambda why: reasons(why, language)
    )


def expert_suggestions(matches: Iterable) -> list[s.ExpertSuggestion]:
    """Experts from the expert pool's matcher (``services.experts.suggest``), with reasons."""
    return scored(matches, s.ExpertSuggestion, "expert", expert_brief, talent_reasons)


def diagnosis(row: DiagnosisRequest, viewer: User) -> s.DiagnosisOut:
    report = diagnosis_reports.report_shown_to(viewer, row)
    return s.DiagnosisOut(
        id=row.id,
        organization=_organization(row.organization),
        origin=row.origin,
        cluster=row.cluster,
        services=list(row.services),
        product_line=row.product_line,
        problems=row.problems,
        preferred_dates=list(row.preferred_dates),
        status=row.status,
        visit_at=utc(row.visit_at),
        place=row.place,
        visit_note=row.visit_note,
        experts=[expert_brief(a.expert) for a in row.assignments if a.expert],
        providers=[provider_brief(a.provider) for a in row.assignments if a.provider],
        report=(
            s.ReportOut(
                summary=report.summary,
                findings=report.findings,
                submitted_at=utc(report.submitted_at),
                recommendations=[
                    s.RecommendationOut(
                        id=r.id,
                        service=r.service,
                        title=r.title,
                        description=r.description,
                        priority=r.priority,
                        budget_min=r.budget_min,
                        budget_max=r.budget_max,
                        demand_id=r.demand_id,
                    )
                    for r in report.recommendations
                ],
            )
            if report is not None
            else None
        ),
        created_at=utc(row.created_at),
    )


def attachment(row: Attachment) -> s.AttachmentOut:
    return s.AttachmentOut(
        id=row.id, filename=row.filename, content_type=row.content_type, size=row.size
    )


def author_name(message: Message) -> str:
    """The provider is public; the enterprise is named only once it accepted the interest."""
    interest = message.interest
    if message.side == Side.PROVIDER:
        return interest.provider.organization.name
    if interest.status == InterestStatus.ACCEPTED:
        return interest.demand.organization.name
    return _("需求方")


def _message_fields(row: Message) -> dict:
    return {
        "id": row.id,
        "body": row.body,
        "price": row.price,
        "timeline_days": row.timeline_days,
        "created_at": utc(row.created_at),
        "masked": row.masked,
        "attachments": [attachment(a) for a in row.attachments],
    }


def message(row: Message) -> s.MessageOut:
    return s.MessageOut(
        author=s.MessageAuthor(side=row.side, name=author_name(row)), **_message_fields(row)
    )


def project_message(row: Message, talk) -> s.ProjectMessageOut:
    """A message of a common-need project's conversation as ``talk``'s reader may read it."""
    return s.ProjectMessageOut(
        author=s.ProjectMessageAuthor(side=row.side, name=talk.author(row)), **_message_fields(row)
    )


def review(row: Review) -> s.ReviewOut:
    return s.ReviewOut(
        id=row.id,
        interest_id=row.interest_id,
        side=row.side,
        quality=row.quality,
        communication=row.communication,
        timeliness=row.timeliness,
        text=row.text or "",
        created_at=utc(row.created_at),
    )


# --- design-centre accreditation ----------------------------------------------------------------


def rubric(row: Rubric, scored: bool, used_by: int) -> s.RubricOut:
    return s.RubricOut(
        id=row.id,
        family_id=row.family_id or row.id,
        version=row.version,
        name=row.name,
        scale=row.scale,
        criteria=[s.CriterionOut(**c) for c in row.criteria],
        current=row.superseded_at is None,
        scored=scored,
        used_by=used_by,
    )


def accreditation_round(row: AccreditationRound) -> s.RoundOut:
    return s.RoundOut(
        id=row.id,
        title=row.title,
        year=row.year,
        level=row.level,
        criteria=[s.CriterionOut(**c) for c in row.criteria],
        rubric_id=row.rubric_id,
        pass_mark=row.pass_mark,
        min_reviewers=row.min_reviewers,
        valid_years=row.valid_years,
        closes_on=row.closes_on,
        open=row.closes_on >= local_today(),
    )


def recognition(row: Recognition) -> s.RecognitionOut:
    org = row.organization
    return s.RecognitionOut(
        id=row.id,
        organization=_organization(org),
        provider_id=org.provider.id if org.provider else None,
        level=row.level,
        granted_on=row.granted_on,
        valid_until=row.valid_until,
        status=row.status,
    )


def accreditation(row: Accreditation, viewer: User) -> s.AccreditationOut:
    """The panel as ``accreditation.reviews.panel_shown_to`` decides for the viewer."""
    shown, panel = accreditation_reviews.panel_shown_to(viewer, row)
    return s.AccreditationOut(
        id=row.id,
        organization=_organization(row.organization),
        kind=row.kind,
        level=row.level,
        status=row.status,
        round=s.RoundBrief(id=row.round.id, title=row.round.title, year=row.round.year)
        if row.round
        else None,
        renewal_of_id=row.renewal_of_id,
        team_size=row.team_size,
        designers=row.designers,
        investment=row.investment,
        achievements=row.achievements,
        case_ids=list(row.case_ids),
        certificate_no=row.certificate_no,
        valid_until=row.valid_until,
        missing=list(row.missing),
        check_note=row.check_note,
        decision_reason=row.decision_reason,
        submitted_at=utc(row.submitted_at),
        decided_at=utc(row.decided_at),
        files=[attachment(a) for a in row.attachments],
        reviews=expert_reviews(shown),
        panel=panel_out(panel) if panel else None,
        recognition=recognition(row.recognition) if row.recognition else None,
    )


def panel_out(panel) -> s.PanelOut:
    return s.PanelOut(
        reviewers=panel.reviewers,
        submitted=panel.submitted,
        score=panel.score,
        trimmed=panel.trimmed,
        by_criterion=panel.by_criterion,
        spread=panel.spread,
    )


def expert_reviews(rows) -> list[s.ExpertReviewOut]:
    return [
        s.ExpertReviewOut(
            expert=expert_brief(r.expert),
            scores=dict(r.scores),
            total=r.total,
            comment=r.comment,
            submitted_at=utc(r.submitted_at),
        )
        for r in rows
    ]


# --- the good-design showcase ------------------------------------------------------------------


def showcase_year(row: ShowcaseYear) -> s.ShowcaseYearOut:
    return s.ShowcaseYearOut(
        id=row.id,
        year=row.year,
        title=row.title,
        criteria=[s.CriterionOut(**c) for c in row.criteria],
        rubric_id=row.rubric_id,
        min_reviewers=row.min_reviewers,
        closes_on=row.closes_on,
        open=row.closes_on >= local_today() and row.announced_at is None,
        announced=row.announced_at is not None,
    )


def showcase_entry(row: ShowcaseEntry, viewer: User | None) -> s.ShowcaseEntryOut:
    """The panel as ``showcase.selection.panel_shown_to`` decides for the viewer."""
    shown, panel = showcase_selection.panel_shown_to(viewer, row)
    return s.ShowcaseEntryOut(
        id=row.id,
        year=row.year.year,
        provider=provider_brief(row.provider),
        source="deal" if row.interest_id else "case",
        title=row.title,
        cluster=row.cluster,
        services=list(row.services),
        region=row.region,
        problem=row.problem,
        design=row.design,
        results=row.results,
        sales_change_pct=row.sales_change_pct,
        cost_change_pct=row.cost_change_pct,
        awards=row.awards,
        status=row.status,
        images=[
            s.ImageOut(id=a.id, purpose=a.purpose, url=f"/showcase/{row.id}/images/{a.id}")
            for a in row.images
        ],
        reviews=expert_reviews(shown),
        panel=panel_out(panel) if panel else None,
    )


# --- cluster common needs ---------------------------------------------------------------------


def common_need(row: CommonNeed, viewer: User) -> s.CommonNeedOut:
    """Participants as ``common_needs.projects.participants`` decides for the viewer."""
    invitations = [
        i for i in row.invitations if viewer.is_admin or owns(viewer, i.provider.organization_id)
    ]
    return s.CommonNeedOut(
        id=row.id,
        cluster=row.cluster,
        title=row.title,
        brief=row.brief,
        services=list(row.services),
        similarity=row.similarity,
        status=row.status,
        joined=common_need_projects.joined_count(row),
        participants=[
            s.ParticipantOut(
                organization=_organization(m.organization), demand_id=m.demand_id, status=m.status
            )
            for m in common_need_projects.participants(viewer, row)
        ],
        invitations=[
            s.InvitationOut(
                provider=provider_brief(i.provider), score=i.score, status=i.status, note=i.note
            )
            for i in invitations
        ],
        provider=provider_brief(row.provider) if row.provider else None,
        contract_value=row.contract_value,
        outcome_note=row.outcome_note,
    )
