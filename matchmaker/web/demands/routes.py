"""Demand pages (enterprises post and follow their needs) and the leads page (providers browse)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from search import DEMANDS, SearchQuery, SearchUnavailable

from ...extensions import db
from ...models import DemandStatus, Role
from ...schemas import DemandIn, try_validate
from ...search_engine import get_search
from ...services import (
    access,
    conversations,
    demand_rules,
    files,
    interests,
    matching,
    notifications,
)
from ...services import demands as demand_service
from ...services import leads as lead_service
from ...services.errors import StaleRecord, ValidationFailed
from ...services.lead_shape import Lead
from ...transaction import commit, unit_of_work
from ..common import actor, commit_and_redirect, show_errors
from ..interests.forms import InterestForm
from ..search_pages import budget_band_labels
from ..uploads import private_file, save_with_uploads, upload_folder, upload_storage
from .forms import DemandForm

bp = Blueprint("demands", __name__)

S = DemandStatus
SORTS = ("relevance", "newest", "budget")
PER_PAGE = 20


# --- enterprise: own demands ----------------------------------------------------------------


@bp.get("/demands/mine")
@login_required
def mine():
    rows = demand_service.own_demands(db.session, actor())
    return render_template("demands/mine.html", rows=rows)


def _save(form: DemandForm, demand=None):
    """Validate the form and its files, then create or update; returns the demand or None."""
    user = actor()
    action = request.form.get("action", "submit")
    if action == "submit" and not access.is_confirmed(user):
        action = "draft"  # kept as a draft: sending it for review waits for the address

    def check_uploads():
        already = len(demand.attachments) - len(_remove_ids(demand)) if demand is not None else 0
        return files.check(
            request.files.getlist(form.attachments.name),
            files.DOCUMENTS,
            "attachments",
            already=max(already, 0),
        )

    def write(uploads):
        if demand is None:
            wanted = S.DRAFT if action == "draft" else S.IN_REVIEW
            saved = demand_service.create_demand(db.session, user, body, status=wanted)
        else:
            saved = demand_service.update_demand(
                db.session, user, demand.id, body, expected_version=form.edited_version()
            )
            if action == "submit" and saved.status in S.SUBMITTABLE:
                demand_service.submit(db.session, user, saved.id)
        written, removed = files.attach_to_demand(
            db.session, user, saved, uploads, upload_storage(), remove_ids=_remove_ids(saved)
        )
        return saved, written, removed

    body = form.body()
    if action == "submit" and _flag_contacts(form, body):
        return None
    return save_with_uploads(form, DemandIn, body, check_uploads, write)


def _flag_contacts(form: DemandForm, body: dict) -> bool:
    """Contact details in the title or description stop a submission once, on their fields,
    until the author removes them or confirms keeping them (the reviewer then sees them
    marked). Returns whether the submission stops; other problems are shown with them."""
    flags = demand_rules.contact_flags(body.get("title", ""), body.get("description", ""))
    if not flags or form.keep_contacts.data:
        return False
    for name, found in flags.items():
        getattr(form, name).errors = [
            _(
                "包含联系方式：%(items)s。需求方接受意向前，双方应在平台内沟通；"
                "请删除，或勾选下方确认后提交。",
                items="、".join(item.text for item in found),
            )
        ]
    form.contact_flags = flags
    _valid, problems = try_validate(DemandIn, body)
    if problems:
        show_errors(form, ValidationFailed("", problems))
    return True


def _remove_ids(demand) -> list[int]:
    if demand is None:
        return []
    wanted = {v for v in request.form.getlist("remove_attachment") if v.isdigit()}
    return [a.id for a in demand.attachments if str(a.id) in wanted]


def _saved_message(demand) -> str:
    if demand.status == S.DRAFT and request.form.get("action", "submit") == "submit":
        return _("已保存为草稿：确认邮箱后才能提交审核。")  # the address is not confirmed yet
    if demand.status == S.DRAFT:
        return _("草稿已保存")
    return _("已提交审核，审核通过后将对设计服务方公开")


@bp.route("/demands/new", methods=["GET", "POST"])
@login_required
def new():
    access.require_role(actor(), Role.ENTERPRISE)
    form = DemandForm()
    form.set_choices()
    if request.method == "GET" and actor().organization is not None:
        form.region.data = actor().organization.region  # most demands are local
    if request.method == "POST":
        demand = _save(form)
        if demand is not None:
            flash(_saved_message(demand), "success")
            return redirect(url_for(".detail", demand_id=demand.id))
        return render_template("demands/form.html", form=form, demand=None), 422
    return render_template("demands/form.html", form=form, demand=None)


@bp.route("/demands/<int:demand_id>/edit", methods=["GET", "POST"])
@login_required
def edit(demand_id: int):
    demand = demand_service.managed_demand(db.session, actor(), demand_id)
    if demand.status not in S.EDITABLE:
        flash(_("当前状态的需求不能修改"), "error")
        return redirect(url_for(".detail", demand_id=demand.id))
    if request.method == "POST":
        form = DemandForm()
        form.set_choices()
        was_published = demand.status == S.PUBLISHED
        try:
            saved = _save(form, demand)
        except StaleRecord:
            # Someone saved this demand after the form was opened: nothing was written, and
            # the page keeps what was typed (with the old version, so saving again is refused).
            demand = demand_service.managed_demand(db.session, actor(), demand_id)
            return render_template("demands/form.html", form=form, demand=demand, stale=True), 409
        if saved is not None:
            if was_published:
                flash(_("修改已保存，需求将重新审核后再公开"), "success")
            else:
                flash(
                    _saved_message(saved) if saved.status != S.IN_REVIEW else _("修改已保存"),
                    "success",
                )
            return redirect(url_for(".detail", demand_id=saved.id))
        demand = demand_service.managed_demand(db.session, actor(), demand_id)
        return render_template("demands/form.html", form=form, demand=demand), 422
    form = DemandForm(data={**demand_service.demand_input(demand), "version": demand.version})
    form.set_choices()
    return render_template("demands/form.html", form=form, demand=demand)


@bp.get("/demands/<int:demand_id>")
@login_required
def detail(demand_id: int):
    user = actor()
    demand = demand_service.read_demand(db.session, user, demand_id)
    if notifications.mark_seen(db.session, user, url_for(".detail", demand_id=demand.id)):
        commit()
    context: dict = {
        "demand": demand,
        "is_owner": not isinstance(demand, Lead),
        "search_unavailable": False,
    }
    if context["is_owner"]:
        received = interests.for_demand(db.session, user, demand.id)
        context["interests"] = [(i, interests.contact(i, user)) for i in received]
        context["unread"] = conversations.unread_counts(db.session, user, received)
        context["invited"] = {
            inv.provider_id for inv in interests.invitations_for_demand(db.session, demand)
        }
        context["recommended"] = []
        if demand.status in S.OPEN:
            try:
                with unit_of_work():  # first showings are recorded as exposure
                    context["recommended"] = matching.recommended_providers(
                        db.session, get_search(), user, demand.id, k=6
                    )
            except SearchUnavailable:
                context["search_unavailable"] = True
    elif user.role == Role.PROVIDER:
        own = interests.own_interest(db.session, user, demand)
        context["own_interest"] = own
        context["contact"] = interests.contact(own, user) if own is not None else None
        context["invited"] = own is None and interests.is_invited(db.session, user, demand)
        context["has_profile"] = (
            user.organization is not None and user.organization.provider is not None
        )
        context["interest_form"] = InterestForm()
    return render_template("demands/detail.html", **context)


@bp.get("/demands/<int:demand_id>/attachments/<int:attachment_id>")
@login_required
def attachment(demand_id: int, attachment_id: int):
    return private_file(files.demand_attachment(db.session, actor(), demand_id, attachment_id))


# --- lifecycle actions ---------------------------------------------------------------------


def _act(demand_id: int, operation, message: str):
    operation(db.session, actor(), demand_id)
    return commit_and_redirect(message, url_for(".detail", demand_id=demand_id))


@bp.post("/demands/<int:demand_id>/submit")
@login_required
def submit(demand_id: int):
    return _act(demand_id, demand_service.submit, _("已提交审核"))


@bp.post("/demands/<int:demand_id>/withdraw")
@login_required
def withdraw(demand_id: int):
    return _act(demand_id, demand_service.withdraw, _("需求已撤回"))


@bp.post("/demands/<int:demand_id>/delete")
@login_required
def delete(demand_id: int):
    user = actor()
    demand = demand_service.managed_demand(db.session, user, demand_id)
    stored = [a.stored_name for a in demand.attachments]
    demand_service.delete_demand(db.session, user, demand_id)
    commit()
    files.discard(upload_folder(), stored)
    flash(_("草稿已删除"), "success")
    return redirect(url_for(".mine"))


@bp.post("/demands/<int:demand_id>/invite/<int:provider_id>")
@login_required
def invite(demand_id: int, provider_id: int):
    invitation = interests.invite(db.session, actor(), demand_id, provider_id)
    name = invitation.provider.name
    return commit_and_redirect(
        _("已邀请 %(name)s 查看本需求", name=name),
        url_for(".detail", demand_id=demand_id) + "#recommended",
    )


@bp.post("/demands/<int:demand_id>/interest")
@login_required
def express(demand_id: int):
    user = actor()
    form = InterestForm()
    try:
        with unit_of_work():
            interest = interests.express(db.session, user, demand_id, form.body())
            interest_id, invited = interest.id, interest.invited
    except ValidationFailed as exc:
        show_errors(form, exc)
        demand = demand_service.read_demand(db.session, user, demand_id)
        return render_template(
            "demands/detail.html",
            demand=demand,
            is_owner=False,
            own_interest=None,
            contact=None,
            has_profile=True,
            invited=interests.is_invited(db.session, user, demand),
            interest_form=form,
            search_unavailable=False,
        ), 422
    if invited:  # the answer to an invitation goes on in its conversation
        flash(_("已回复邀请，可以在站内沟通中继续交流"), "success")
        return redirect(url_for("interests.show", interest_id=interest_id, _anchor="conversation"))
    flash(_("已提交合作意向，请等待需求方回复"), "success")
    return redirect(url_for(".detail", demand_id=demand_id))


# --- provider: leads -----------------------------------------------------------------------


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "")
    return min(max(int(value), low), high) if value.isdigit() else default


def _lead_query() -> tuple[SearchQuery, dict]:
    chosen = {
        name: [v for v in request.args.getlist(name) if v][:20]
        for name in ("cluster", "service", "region")
    }
    band = request.args.get("budget", "")
    band = band if band in lead_service.BANDS else ""
    sort = request.args.get("sort", "relevance")
    q = request.args.get("q", "").strip()[:100]
    if sort not in SORTS:
        sort = "relevance"
    query = SearchQuery(
        index=DEMANDS,
        text=q,
        filters={k: v for k, v in chosen.items() if v},
        sort=sort,
        page=_int_arg("page", 1, 1, 500),
        per_page=PER_PAGE,
        facets=("cluster", "service", "region"),
    )
    state = {"q": q, "sort": sort, "budget": band, **chosen}
    return query, state


@bp.get("/leads")
@login_required
def leads():
    user = actor()
    access.require_role(user, Role.PROVIDER, Role.ADMIN)
    query, state = _lead_query()
    backend = get_search()
    context = {
        "state": state,
        "results": None,
        "band_counts": {},
        "marks": {},
        "recommended": [],
        "search_unavailable": False,
        "bands": budget_band_labels(),
        "has_profile": user.organization is not None and user.organization.provider is not None,
    }
    try:
        results = matching.search_demands(
            db.session, backend, user, lead_service.in_band(query, state["budget"])
        )
        context["results"] = results
        context["band_counts"] = lead_service.band_counts(db.session, backend, user, query)
        context["marks"] = lead_service.marks(db.session, user, [d.id for d in results.rows])
        if context["has_profile"] and user.role == Role.PROVIDER:
            context["recommended"] = matching.leads_for(db.session, backend, user, k=5)
    except SearchUnavailable:
        context["search_unavailable"] = True
    return render_template("demands/leads.html", **context)
