"""The expert's structured report, and each recommendation turned into a draft demand."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Demand,
    DemandStatus,
    DiagnosisRecommendation,
    DiagnosisReport,
    DiagnosisRequest,
    DiagnosisStatus,
    Expert,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit, demands
from ..access import DIAGNOSIS_POLICY
from ..errors import Conflict, NotFound
from .inputs import ReportIn
from .notices import tell

S = DiagnosisStatus


def file_report(session: Session, actor: User, request_id: int, body: Any) -> DiagnosisReport:
    """Write the report of a scheduled visit (a draft, or final with ``submit``). A filed
    report is final: the enterprise acts on it."""
    request = DIAGNOSIS_POLICY.require(actor, "report", session.get(DiagnosisRequest, request_id))
    if request.status != S.SCHEDULED:
        raise Conflict(_("只有已安排上门、尚未提交报告的诊断可以填写报告"))
    data = validate(ReportIn, body)
    expert = session.scalar(select(Expert).where(Expert.user_id == actor.id))
    report = request.report or DiagnosisReport(request=request)
    report.expert = expert
    report.summary, report.findings, report.updated_at = data.summary, data.findings, utcnow()
    report.recommendations = [
        DiagnosisRecommendation(position=i, **r.model_dump())
        for i, r in enumerate(data.recommendations)
    ]
    session.add(report)
    session.flush()
    if data.submit:
        report.submitted_at = utcnow()
        request.status, request.updated_at = S.REPORTED, utcnow()
        audit.log_event(
            session,
            actor,
            "diagnosis.reported",
            "diagnosis",
            request.id,
            recommendations=len(report.recommendations),
            services=[r.service for r in report.recommendations],
            cluster=request.cluster,
        )
        users = [u for u in request.organization.users if u.active]
        tell(session, users, request, "diagnosis_reported")
    return report


def report_shown_to(actor: User, request: DiagnosisRequest) -> DiagnosisReport | None:
    """A filed report for everyone who sees the request; a draft for its expert only."""
    report = request.report
    if report is None:
        return None
    if report.submitted_at is not None or DIAGNOSIS_POLICY.can(actor, "report", request):
        return report
    return None


def draft_demand(session: Session, actor: User, recommendation_id: int) -> Demand:
    """One click: the recommendation becomes a draft demand of the enterprise, to complete
    and submit for review like any other. Twice is the same demand (409 names it)."""
    recommendation = session.get(DiagnosisRecommendation, recommendation_id)
    if recommendation is None or recommendation.report.submitted_at is None:
        raise NotFound(_("建议不存在"))
    request = DIAGNOSIS_POLICY.require(actor, "adopt", recommendation.report.request)
    if recommendation.demand_id is not None:
        raise Conflict(_("这条建议已转为需求"), {"demand_id": [str(recommendation.demand_id)]})
    report = recommendation.report
    description = "\n\n".join(
        part
        for part in (
            recommendation.description,
            _(
                "来自设计诊断（%(product)s）的建议。诊断结论：%(summary)s",
                product=request.product_line,
                summary=report.summary,
            ),
        )
        if part
    )
    body = {
        "title": recommendation.title,
        "description": description,
        "cluster": request.cluster,
        "services": [recommendation.service],
        "region": request.organization.region,
        "budget_min": recommendation.budget_min,
        "budget_max": recommendation.budget_max,
        "organization_id": request.organization_id,
    }
    demand = demands.create_demand(session, actor, body, status=DemandStatus.DRAFT)
    recommendation.demand = demand
    audit.log_event(
        session,
        actor,
        "diagnosis.demand_drafted",
        "diagnosis",
        request.id,
        recommendation_id=recommendation.id,
        demand_id=demand.id,
        service=recommendation.service,
        priority=recommendation.priority,
    )
    return demand
