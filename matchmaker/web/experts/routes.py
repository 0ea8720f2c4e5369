"""The expert pool for administrators (admit, edit, conflicts, retire) and an expert's home."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...extensions import db
from ...services import accounts, experts, meeting_slots, registration
from ...services.accreditation import applications as accreditation_applications
from ...services.diagnosis import requests as diagnosis_requests
from ...services.errors import Conflict, ValidationFailed
from ...transaction import unit_of_work
from ..common import actor, commit_and_redirect, show_errors
from ..decorators import admin_required
from .forms import ConflictForm, ExpertForm, NewExpertForm

bp = Blueprint("experts", __name__)


@bp.get("/admin/experts")
@admin_required
def index():
    user = actor()
    return render_template(
        "experts/index.html",
        experts=experts.list_experts(db.session, user),
        waiting=registration.unconfirmed_designers(db.session, user),
    )


@bp.post("/admin/designers/<int:user_id>/confirm")
@admin_required
def confirm_designer(user_id: int):
    """Without e-mail, an individual designer's account is confirmed here."""
    try:
        with unit_of_work():
            user = registration.confirm_designer(db.session, actor(), user_id)
    except Conflict as exc:  # nothing was changed: say why on the same page
        flash(exc.message, "error")
    else:
        flash(_("已确认 %(name)s 的账号", name=user.name or user.email), "success")
    return redirect(url_for(".index"))


def _admission(form, template: str, save, **context):
    """A form page that admits or edits an expert through ``save(body)``."""
    if request.method == "POST":
        try:
            with unit_of_work():
                expert = save(form.body())
        except ValidationFailed as exc:
            show_errors(form, exc)
            return render_template(template, form=form, **context), 422
        flash(_("专家信息已保存"), "success")
        return redirect(url_for(".expert", expert_id=expert.id))
    return render_template(template, form=form, **context)


@bp.route("/admin/experts/new", methods=["GET", "POST"])
@admin_required
def new():
    form = NewExpertForm()
    form.set_choices()
    return _admission(
        form,
        "experts/form.html",
        lambda body: experts.admit_directly(db.session, actor(), body),
        direct=True,
    )


@bp.route("/admin/experts/from-talent/<int:profile_id>", methods=["GET", "POST"])
@admin_required
def from_talent(profile_id: int):
    form = ExpertForm()
    form.set_choices()
    if request.method == "GET":
        form.fill(experts.admission_from_pool(db.session, actor(), profile_id))
    return _admission(
        form,
        "experts/form.html",
        lambda body: experts.admit_from_pool(db.session, actor(), profile_id, body),
        direct=False,
    )


@bp.route("/admin/experts/<int:expert_id>", methods=["GET", "POST"])
@admin_required
def expert(expert_id: int):
    record = experts.get_expert(db.session, actor(), expert_id)
    form = ExpertForm()
    form.set_choices()
    conflict_form = ConflictForm(prefix="conflict")
    conflict_form.set_choices()
    if request.method == "GET":
        form.fill(experts.expert_input(record))
    return _admission(
        form,
        "experts/expert.html",
        lambda body: experts.update_expert(db.session, actor(), expert_id, body),
        expert=record,
        conflict_form=conflict_form,
    )


@bp.post("/admin/experts/<int:expert_id>/conflicts")
@admin_required
def add_conflict(expert_id: int):
    record = experts.get_expert(db.session, actor(), expert_id)
    form = ConflictForm(prefix="conflict")
    form.set_choices()
    organization_id = accounts.organization_id_by_name(db.session, form.organization.data)
    try:
        with unit_of_work():
            if organization_id is None:
                message = _("平台上没有这个单位，请填写单位全称")
                raise ValidationFailed(message, {"organization": [message]})
            body = {"organization_id": organization_id, "relation": form.relation.data}
            experts.add_conflict(
                db.session, actor(), expert_id, {**body, "note": form.note.data or ""}
            )
    except ValidationFailed as exc:
        show_errors(form, exc, {"organization_id": "organization"})
        edit = ExpertForm()
        edit.set_choices()
        edit.fill(experts.expert_input(record))
        return render_template(
            "experts/expert.html", form=edit, expert=record, conflict_form=form
        ), 422
    flash(_("已登记利益冲突"), "success")
    return redirect(url_for(".expert", expert_id=expert_id))


@bp.post("/admin/experts/<int:expert_id>/conflicts/<int:conflict_id>/delete")
@admin_required
def remove_conflict(expert_id: int, conflict_id: int):
    experts.remove_conflict(db.session, actor(), expert_id, conflict_id)
    return commit_and_redirect(_("已删除利益冲突记录"), url_for(".expert", expert_id=expert_id))


@bp.post("/admin/experts/<int:expert_id>/active")
@admin_required
def set_active(expert_id: int):
    active = request.form.get("active") == "1"
    experts.set_active(db.session, actor(), expert_id, active)
    return commit_and_redirect(
        _("专家已恢复") if active else _("专家已停用"), url_for(".expert", expert_id=expert_id)
    )


# --- an expert's own page ----------------------------------------------------------------------


@bp.get("/expert")
@login_required
def home():
    user = actor()
    record = experts.own_expert(db.session, user)
    rows = diagnosis_requests.list_for(db.session, user)
    slots = meeting_slots.slots_of(db.session, record)
    reviews = accreditation_applications.list_for(db.session, user, "in_review")
    return render_template(
        "experts/home.html", expert=record, rows=rows, slots=slots, reviews=reviews
    )
