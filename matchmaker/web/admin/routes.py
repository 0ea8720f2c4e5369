"""Administration: demand review, organisations (verification, registrations waiting),
background jobs, an overview.

Every route needs an admin: anonymous visitors are sent to sign in, other roles get 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import accounts, admin_lists, demands, figures, job_runs, registration
from ...services.errors import Conflict, ServiceError
from ...transaction import unit_of_work
from .. import questions
from ..common import apply_field_errors, commit_and_redirect
from ..confirm import ask, confirmed
from .forms import ActionForm, RejectForm
from .jobs import job_labels, status_labels

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


@bp.get("")
def dashboard():
    return render_template(
        "admin/dashboard.html",
        counts=admin_lists.dashboard_counts(db.session, current_user),
        live=figures.live(db.session),
    )


def _render_review(reject_forms: dict | None = None, status: int = 200):
    queue = admin_lists.review_queue(db.session, current_user)
    reject_forms = reject_forms or {}
    forms = {
        d.id: reject_forms.get(d.id) or RejectForm(prefix=f"d{d.id}", formdata=None) for d in queue
    }
    return render_template(
        "admin/review.html", queue=queue, reject_forms=forms, action=ActionForm()
    ), status


@bp.get("/review")
def review():
    return _render_review()


@bp.post("/review/<int:demand_id>/approve")
def approve(demand_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    demand = demands.approve(db.session, current_user, demand_id)
    return commit_and_redirect(
        _("已通过并发布：%(title)s", title=demand.title), url_for("admin.review")
    )


@bp.post("/review")
def reject():
    """A rejection posts to the queue's own address, so that a missing reason comes back on
    the same page, with the focus (and so the view) on the card's reason and its message."""
    demand_id = request.form.get("demand", type=int)
    if demand_id is None:
        abort(400)
    form = RejectForm(prefix=f"d{demand_id}")
    if form.validate_on_submit():
        try:
            with unit_of_work():
                demand = demands.reject(db.session, current_user, demand_id, form.reason.data)
        except ServiceError as exc:
            if not exc.fields:
                raise
            apply_field_errors(form, exc.fields)
        else:
            flash(_("已驳回：%(title)s", title=demand.title), "success")
            return redirect(url_for("admin.review"))
    form.reason.render_kw = {**form.reason.render_kw, "autofocus": True}
    return _render_review({demand_id: form}, status=422)


@bp.get("/organizations")
def organizations():
    kind = request.args.get("type", "all")
    if kind not in admin_lists.ORG_FILTERS:
        kind = "all"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    text = request.args.get("q", "").strip()[:100]
    rows, total = admin_lists.organizations(db.session, current_user, kind, page=page, text=text)
    return render_template(
        "admin/organizations.html",
        rows=rows,
        total=total,
        page=page,
        per_page=50,
        kind=kind,
        q=text,
        filters=admin_lists.ORG_FILTERS,
        action=ActionForm(),
    )


@bp.get("/organizations/<int:organization_id>")
def organization(organization_id: int):
    found = admin_lists.organization(db.session, current_user, organization_id)
    return render_template(
        "admin/organization.html",
        o=found,
        demands=admin_lists.organization_demands(db.session, current_user, found),
    )


def _ask_about(organization_id: int, question, find=admin_lists.organization):
    """The no-script confirmation page for an action from the organisation list."""
    organization = find(db.session, current_user, organization_id)
    back = url_for("admin.organizations", type=request.form.get("type", "all"))
    return ask(question(organization), back)


@bp.post("/organizations/<int:organization_id>/verify")
def verify(organization_id: int):
    if not confirmed():
        return _ask_about(organization_id, questions.verify_organization)
    return _set_verified(organization_id, True)


@bp.post("/organizations/<int:organization_id>/unverify")
def unverify(organization_id: int):
    return _set_verified(organization_id, False)


def _set_verified(organization_id: int, verified: bool):
    def act():
        organization = accounts.set_organization_verified(
            db.session, current_user, organization_id, verified
        )
        if verified:
            return _("已认证：%(name)s", name=organization.name)
        return _("已取消认证：%(name)s", name=organization.name)

    return _organization_action(act)


@bp.post("/organizations/<int:organization_id>/confirm")
def confirm_members(organization_id: int):
    def act():
        count, refused = registration.confirm_members(db.session, current_user, organization_id)
        done = _("已确认 %(n)s 个账号，对方现在可以登录", n=count)
        if not refused:
            return done
        return (
            done
            + " "
            + _("%(emails)s 不能确认：该邮箱已属于另一个已确认的账号。", emails="、".join(refused))
        )

    try:
        return _organization_action(act)
    except Conflict as exc:  # nobody could be confirmed, nothing changed: the list says why
        flash(exc.message, "error")
        return _back_to_list()


@bp.post("/organizations/<int:organization_id>/merge")
def merge_claim(organization_id: int):
    if not confirmed():
        return _ask_about(organization_id, questions.merge_claim, registration.pending_claim)

    def act():
        holder = registration.merge_claim(db.session, current_user, organization_id)
        return _("已并入“%(name)s”：申领人成为该单位的成员", name=holder.name)

    return _organization_action(act)


@bp.post("/organizations/<int:organization_id>/reject")
def reject_claim(organization_id: int):
    if not confirmed():
        return _ask_about(organization_id, questions.reject_claim, registration.pending_claim)

    def act():
        claimant = registration.reject_claim(db.session, current_user, organization_id)
        return _("已驳回“%(name)s”的申领，其账号已停用", name=claimant.name)

    return _organization_action(act)


def _organization_action(act):
    """Run one action from the organisation list, commit, and go back to the same tab."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        message = act()
    flash(message, "success")
    return _back_to_list()


def _back_to_list():
    """The organisation list, on the tab the action was sent from."""
    back = request.form.get("type", "all")
    return redirect(
        url_for("admin.organizations", type=back if back in admin_lists.ORG_FILTERS else "all")
    )


@bp.get("/jobs")
def jobs():
    status = request.args.get("status")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    view = job_runs.overview(db.session, current_user, status, page)
    return render_template(
        "admin/jobs.html",
        view=view,
        status=status if status in job_runs.STATUSES else None,
        page=page,
        per_page=job_runs.PER_PAGE,
        names=job_labels(),
        statuses=status_labels(),
        action=ActionForm(),
    )


@bp.post("/jobs/<run_id>/retry")
def retry_job(run_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work():
        run = job_runs.retry(db.session, current_user, run_id)
    flash(_("已重新排队：%(name)s", name=job_labels().get(run.name, run.name)), "success")
    return redirect(url_for("admin.jobs"))
