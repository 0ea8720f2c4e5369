"""Design-centre accreditation pages: rounds, applications and their materials, the
completeness check, the expert panel and its scores, decisions; and the public register."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from search import SearchUnavailable

from ...extensions import db
from ...models import AccreditationStatus, Role
from ...search_engine import get_search
from ...services import files
from ...services.access import ACCREDITATION_POLICY
from ...services.accreditation import applications, recognitions, reviews, rounds
from ...services.accreditation.inputs import MATERIALS
from ...services.errors import ServiceError, ValidationFailed
from ...taxonomy import get_taxonomy
from ...transaction import unit_of_work
from ..common import actor, show_errors
from ..confirm import ask, confirmed
from ..panels import panel_routes, score_form
from ..questions import decide_accreditation
from ..uploads import private_file, upload_folder, upload_storage
from .forms import ApplicationForm, CheckForm, DecisionForm, RoundForm

bp = Blueprint("accreditation", __name__)
S = AccreditationStatus
STATUSES = ("open", *S.ALL)


def _back(accreditation_id: int):
    return redirect(url_for(".detail", accreditation_id=accreditation_id))


def _own_cases():
    organization = current_user.organization
    provider = organization.provider if organization else None
    return list(provider.cases) if provider else []


# --- lists -----------------------------------------------------------------------------------


@bp.get("/accreditation")
@login_required
def index():
    user = actor()
    status = request.args.get("status") or None
    status = status if status in STATUSES else None
    context = {
        "rows": applications.list_for(db.session, user, status),
        "status": status,
        "rounds": rounds.list_rounds(db.session),
        "open_rounds": rounds.open_rounds(db.session),
    }
    if user.organization_id is not None:
        context["held"] = recognitions.active_for(db.session, user.organization_id)
        context["renewable"] = recognitions.renewable(db.session, user.organization_id)
    return render_template("accreditation/index.html", **context)


@bp.get("/centres")
def register():
    """The public register of recognised design centres, by level and district."""
    taxonomy = get_taxonomy()
    level = request.args.get("level") or None
    region = request.args.get("region") or None
    level = level if level in taxonomy.provider_levels.by_code and level != "none" else None
    region = region if region in taxonomy.regions.by_code else None
    rows = recognitions.register(db.session, level, region)
    return render_template("accreditation/register.html", rows=rows, level=level, region=region)


# --- rounds ----------------------------------------------------------------------------------


@bp.route("/accreditation/rounds/new", methods=["GET", "POST"])
@login_required
def new_round():
    if not current_user.is_admin:
        abort(403)
    form = RoundForm()
    form.set_choices()
    if request.method == "POST":
        try:
            with unit_of_work():
                rounds.create_round(db.session, actor(), form.body())
        except ValidationFailed as exc:
            show_errors(form, exc)
            return render_template("accreditation/round_form.html", form=form), 422
        flash(_("认定批次已发布，服务方现在可以申报"), "success")
        return redirect(url_for(".index"))
    return render_template("accreditation/round_form.html", form=form)


# --- applying --------------------------------------------------------------------------------


def _application_page(form, round_, kind, renewal, status=200, item=None):
    return (
        render_template(
            "accreditation/form.html",
            form=form,
            round=round_,
            kind=kind,
            renewal=renewal,
            item=item,
            materials=MATERIALS[kind],
        ),
        status,
    )


def _save(form, body, write):
    """Check the files, then write the application and attach them in one unit of work."""
    try:
        uploads = files.check(request.files.getlist("files"), files.DOCUMENTS, "files")
    except ValidationFailed as exc:
        show_errors(form, exc)
        return None
    written: list[str] = []
    try:
        with unit_of_work():
            accreditation = write(body)
            if uploads:
                _row, written = applications.add_files(
                    db.session, actor(), accreditation.id, uploads, upload_storage()
                )
        return accreditation
    except ServiceError as exc:
        files.discard(upload_folder(), written)
        if exc.status in (403, 404):
            raise
        show_errors(form, exc)
        return None


@bp.route("/accreditation/new", methods=["GET", "POST"])
@login_required
def new():
    user = actor()
    if user.role != Role.PROVIDER:
        abort(403)
    kind = "record" if request.args.get("kind") == "record" else "apply"
    round_ = None
    if kind == "apply":
        round_ = rounds.get_round(db.session, request.args.get("round", type=int) or 0)
    renewal_id = request.args.get("renewal", type=int)
    renewal = next(
        (r for r in recognitions.renewable(db.session, user.organization_id) if r.id == renewal_id),
        None,
    )
    form = ApplicationForm()
    form.set_choices(_own_cases())
    if request.method == "GET":
        return _application_page(form, round_, kind, renewal)[0]
    body = form.body(kind, round_.id if round_ else None, renewal.id if renewal else None)
    saved = _save(form, body, lambda b: applications.apply(db.session, user, b))
    if saved is None:
        return _application_page(form, round_, kind, renewal, 422)
    flash(_("申请已提交，平台将审查材料是否齐全"), "success")
    return _back(saved.id)


@bp.route("/accreditation/<int:accreditation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(accreditation_id: int):
    """A returned application, completed and sent back to the check."""
    user = actor()
    item = ACCREDITATION_POLICY.require(
        user, "complete", applications.read(db.session, user, accreditation_id)
    )
    if item.status != S.INCOMPLETE:
        flash(_("只有退回补充的申请可以修改"), "error")
        return _back(item.id)
    form = ApplicationForm()
    form.set_choices(_own_cases())
    if request.method == "GET":
        form.fill(applications.application_input(item))
        return _application_page(form, item.round, item.kind, item.renewal_of, item=item)[0]
    body = form.body(item.kind, item.round_id, item.renewal_of_id)
    saved = _save(form, body, lambda b: applications.complete(db.session, user, item.id, b))
    if saved is None:
        return _application_page(form, item.round, item.kind, item.renewal_of, 422, item)
    flash(_("已重新提交，平台将再次审查材料"), "success")
    return _back(item.id)


@bp.get("/accreditation/<int:accreditation_id>/files/<int:attachment_id>")
@login_required
def file(accreditation_id: int, attachment_id: int):
    return private_file(applications.file_of(db.session, actor(), accreditation_id, attachment_id))


# --- the application's page ------------------------------------------------------------------


@bp.get("/accreditation/<int:accreditation_id>")
@login_required
def detail(accreditation_id: int):
    return _detail_page(accreditation_id)


def _detail_page(accreditation_id: int, status: int = 200, **forms):
    user = actor()
    item = applications.read(db.session, user, accreditation_id)
    shown, panel = reviews.panel_shown_to(user, item)
    administers = ACCREDITATION_POLICY.can(user, "administer", item)
    criteria = reviews.criteria(item)
    labels = {code: applications.material_label(code) for code in MATERIALS[item.kind]}
    context = {
        "item": item,
        "reviews": shown,
        "panel": panel,
        "criteria": criteria,
        "administers": administers,
        "scores_it": ACCREDITATION_POLICY.can(user, "score", item),
        "labels": labels,
        "found_missing": applications.missing_materials(item),
        "cases": _cases_of(item),
        "scores_given": {},
        "score_errors": forms.get("score_errors") or {},
    }
    if administers and item.status == S.SUBMITTED:
        check = forms.get("check_form") or CheckForm()
        check.set_choices(labels)
        if not check.missing.data:
            check.missing.data = context["found_missing"]
        context["check_form"] = check
    if administers and item.status == S.IN_REVIEW:
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
        if item.kind == "apply":
            try:
                context["suggestions"] = reviews.suggested_reviewers(
                    db.session, get_search(), user, item.id
                )
            except SearchUnavailable:
                context["search_unavailable"] = True
    if context["scores_it"] and item.status == S.IN_REVIEW:
        context |= score_form(user, applications.SUBJECT, item.id, forms)
    return render_template("accreditation/detail.html", **context), status


def _cases_of(item):
    provider = item.organization.provider
    wanted = set(item.case_ids)
    return [c for c in provider.cases if c.id in wanted] if provider else []


@bp.post("/accreditation/<int:accreditation_id>/check")
@login_required
def check(accreditation_id: int):
    form = CheckForm()
    complete = request.form.get("action") == "complete"
    body = {"complete": complete, "note": (form.note.data or "").strip()}
    if not complete:
        body["missing"] = list(form.missing.data or [])
    return _decided(
        accreditation_id,
        lambda: applications.check(db.session, actor(), accreditation_id, body),
        "check_form",
        form,
        done=_("已受理，进入专家评审") if complete else _("已退回申报单位补充材料"),
    )


def _decided(accreditation_id: int, decide, form_name: str, form, done: str):
    """Run an administrator's decision on the application: a refusal redraws its page with the
    messages on ``form`` (the page's ``form_name``); else ``done`` is said."""
    try:
        with unit_of_work():
            decide()
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        show_errors(form, exc)
        return _detail_page(accreditation_id, 422, **{form_name: form})
    flash(done, "success")
    return _back(accreditation_id)


panel_routes(
    bp,
    "/accreditation/<int:accreditation_id>",
    page=".detail",
    service=reviews,
    read=applications.read,
    again=_detail_page,
    scored=_l("评分已提交，决定作出前可以修改"),
)


@bp.post("/accreditation/<int:accreditation_id>/decision")
@login_required
def decide(accreditation_id: int):
    user = actor()
    approve = request.form.get("decision") == "approve"
    form = DecisionForm()
    if not confirmed():
        item = applications.read(db.session, user, accreditation_id)
        ACCREDITATION_POLICY.require(user, "administer", item)
        return ask(
            decide_accreditation(item, approve),
            url_for(".detail", accreditation_id=accreditation_id),
        )
    body = {"approve": approve, "reason": (form.reason.data or "").strip()}
    return _decided(
        accreditation_id,
        lambda: recognitions.decide(db.session, user, accreditation_id, body),
        "decision_form",
        form,
        done=_("已予认定，级别和认证标识已更新") if approve else _("已作出不予认定的决定"),
    )
