"""Diagnostic visit pages for enterprises, administrators, experts and assigned providers."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from search import SearchUnavailable

from ...china_time import to_local
from ...extensions import db
from ...models import DiagnosisStatus
from ...search_engine import get_search
from ...services import accounts
from ...services.access import DIAGNOSIS_POLICY
from ...services.diagnosis import arrangements, notices, reports, requests
from ...services.errors import ServiceError, ValidationFailed
from ...transaction import commit, unit_of_work
from ..common import actor, commit_and_redirect, show_errors
from ..confirm import ask, confirmed
from ..questions import cancel_diagnosis, submit_report
from .forms import ReportForm, RequestForm, VisitForm

bp = Blueprint("diagnosis", __name__)
STATUSES = ("open", *DiagnosisStatus.OPEN, DiagnosisStatus.REPORTED, DiagnosisStatus.CANCELLED)


def _back(request_id: int):
    return redirect(url_for(".detail", request_id=request_id))


@bp.get("/diagnosis")
@login_required
def index():
    status = request.args.get("status") or None
    status = status if status in STATUSES else None
    rows = requests.list_for(db.session, actor(), status)
    return render_template("diagnosis/index.html", rows=rows, status=status)


@bp.route("/diagnosis/new", methods=["GET", "POST"])
@login_required
def new():
    user = actor()
    form = RequestForm()
    form.set_choices()
    if request.method == "POST":
        organization_id = None
        if user.is_admin:
            organization_id = accounts.organization_id_by_name(db.session, form.organization.data)
        try:
            with unit_of_work():
                if user.is_admin and organization_id is None:
                    message = _("平台上没有这家企业，请填写企业全称")
                    raise ValidationFailed(message, {"organization": [message]})
                created = requests.create_request(db.session, user, form.body(organization_id))
        except ValidationFailed as exc:
            show_errors(form, exc, {"organization_id": "organization", "preferred_dates": "date_1"})
            return render_template("diagnosis/new.html", form=form), 422
        flash(
            _("诊断申请已提交，平台将为您安排专家") if not user.is_admin else _("已向企业提议诊断"),
            "success",
        )
        return _back(created.id)
    requests.require_can_request(user)
    return render_template("diagnosis/new.html", form=form)


def _report_form(shown) -> ReportForm:
    form = ReportForm()
    form.set_choices()
    if request.method == "GET" and shown.report is not None:
        form.fill(shown.report)
        form.set_choices()
    return form


@bp.get("/diagnosis/<int:request_id>")
@login_required
def detail(request_id: int):
    return _detail_page(request_id)


def _detail_page(request_id: int, status: int = 200, **forms):
    user = actor()
    shown = requests.read_request(db.session, user, request_id)
    context = {
        "item": shown,
        "report": reports.report_shown_to(user, shown),
        "arranges": DIAGNOSIS_POLICY.can(user, "arrange", shown),
        "reports_it": DIAGNOSIS_POLICY.can(user, "report", shown),
        "adopts": DIAGNOSIS_POLICY.can(user, "adopt", shown),
        "visit_local": to_local(shown.visit_at) if shown.visit_at else None,
    }
    if context["arranges"] and shown.status in DiagnosisStatus.OPEN:
        visit = forms.get("visit_form") or VisitForm()
        if visit.place.data is None and shown.visit_at is not None:
            visit.place.data = shown.place
            visit.visit_at.data = context["visit_local"].strftime("%Y-%m-%dT%H:%M")
            visit.note.data = shown.visit_note
        context["visit_form"] = visit
        try:
            backend = get_search()
            context["expert_suggestions"] = arrangements.suggested_experts(
                db.session, backend, user, request_id
            )
            context["provider_suggestions"] = arrangements.suggested_providers(
                db.session, backend, user, request_id
            )
        except SearchUnavailable:
            context["search_unavailable"] = True
    if context["reports_it"] and shown.status == DiagnosisStatus.SCHEDULED:
        context["report_form"] = forms.get("report_form") or _report_form(shown)
    return render_template("diagnosis/detail.html", **context), status


@bp.post("/diagnosis/<int:request_id>/assign")
@login_required
def assign(request_id: int):
    user = actor()
    expert_id = request.form.get("expert_id", type=int)
    provider_id = request.form.get("provider_id", type=int)
    try:
        with unit_of_work():
            if expert_id:
                arrangements.assign_expert(db.session, user, request_id, expert_id)
            elif provider_id:
                arrangements.assign_provider(db.session, user, request_id, provider_id)
        flash(_("已分派"), "success")
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
    return _back(request_id)


@bp.post("/diagnosis/<int:request_id>/assignments/<int:assignment_id>/delete")
@login_required
def unassign(request_id: int, assignment_id: int):
    arrangements.unassign(db.session, actor(), request_id, assignment_id)
    commit()
    flash(_("已取消分派"), "success")
    return _back(request_id)


@bp.post("/diagnosis/<int:request_id>/visit")
@login_required
def schedule(request_id: int):
    form = VisitForm()
    try:
        with unit_of_work():
            arrangements.schedule(db.session, actor(), request_id, form.body())
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _detail_page(request_id, 422, visit_form=form)
    flash(_("上门时间已安排，相关各方已收到通知"), "success")
    return _back(request_id)


@bp.get("/diagnosis/<int:request_id>/visit.ics")
@login_required
def calendar(request_id: int):
    shown, ics = arrangements.calendar_for(
        db.session, actor(), request_id, request.host_url.rstrip("/")
    )
    return Response(
        ics,
        mimetype=notices.MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename={notices.filename(shown)}"},
    )


def _row_errors(form: ReportForm, exc: ValidationFailed) -> ValidationFailed:
    """The report's messages on the rows they are about (``recommendations.<i>.<field>``)."""
    rows, rest = form.rows(), {}
    for key, messages in exc.fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "recommendations" and parts[1].isdigit():
            index = int(parts[1])
            if index < len(rows) and parts[2] in rows[index].form._fields:
                rows[index].form[parts[2]].errors = list(messages)
                continue
        rest[key] = messages
    return ValidationFailed(exc.message, rest)


@bp.post("/diagnosis/<int:request_id>/report")
@login_required
def report(request_id: int):
    user = actor()
    action = request.form.get("action")
    submit = action == "submit"
    form = ReportForm()
    if action == "add_row":  # nothing is saved: the same form comes back one row longer
        form.add_rows(1)
        form.set_choices()
        return _detail_page(request_id, report_form=form)
    form.set_choices()
    if submit and not confirmed():
        shown = requests.read_request(db.session, user, request_id)
        return ask(submit_report(shown), url_for(".detail", request_id=request_id))
    try:
        with unit_of_work():
            reports.file_report(db.session, user, request_id, form.body(submit))
    except ValidationFailed as exc:
        show_errors(form, _row_errors(form, exc))
        return _detail_page(request_id, 422, report_form=form)
    flash(_("诊断报告已提交，企业已收到通知") if submit else _("草稿已保存"), "success")
    return _back(request_id)


@bp.post("/diagnosis/recommendations/<int:recommendation_id>/demand")
@login_required
def draft_demand(recommendation_id: int):
    demand = reports.draft_demand(db.session, actor(), recommendation_id)
    return commit_and_redirect(
        _("已生成需求草稿，请补充后提交审核"), url_for("demands.edit", demand_id=demand.id)
    )


@bp.post("/diagnosis/<int:request_id>/cancel")
@login_required
def cancel(request_id: int):
    user = actor()
    if not confirmed():
        shown = requests.read_request(db.session, user, request_id)
        return ask(cancel_diagnosis(shown), url_for(".detail", request_id=request_id))
    requests.cancel(db.session, user, request_id)
    commit()
    flash(_("诊断已取消"), "success")
    return _back(request_id)
