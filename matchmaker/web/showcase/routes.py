"""The good-design showcase pages: the public showcase, submitting an achievement, the entry
with its panel and scores, and the year's selection (shortlist, winners)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from search import SearchUnavailable

from ...extensions import db
from ...models import Role, ShowcaseStatus
from ...search_engine import get_search
from ...services import files
from ...services.access import SHOWCASE_POLICY
from ...services.errors import ServiceError, ValidationFailed
from ...services.showcase import entries, gallery, selection
from ...taxonomy import get_taxonomy
from ...transaction import unit_of_work
from ..common import actor, show_errors
from ..confirm import ask, confirmed
from ..panels import panel_routes, score_form
from ..questions import announce_winners
from ..uploads import private_file, upload_folder, upload_storage
from .forms import EntryForm, YearForm

bp = Blueprint("showcase", __name__)


def _back(entry_id: int):
    return redirect(url_for(".entry", entry_id=entry_id))


def _code(vocabulary: str, name: str) -> str | None:
    value = request.args.get(name) or None
    return value if value in get_taxonomy().vocabulary(vocabulary).by_code else None


@bp.get("/showcase")
def index():
    """The public showcase: announced winners by cluster, service and district."""
    state = {
        "cluster": _code("clusters", "cluster"),
        "service": _code("services", "service"),
        "region": _code("regions", "region"),
    }
    rows = gallery.search(db.session, **state)
    return render_template(
        "showcase/index.html",
        rows=rows,
        state=state,
        open_years=selection.open_years(db.session),
    )


@bp.get("/showcase/entries")
@login_required
def mine():
    user = actor()
    return render_template(
        "showcase/entries.html",
        rows=entries.list_for(db.session, user),
        years=selection.list_years(db.session),
        open_years=selection.open_years(db.session),
    )


@bp.route("/showcase/years/new", methods=["GET", "POST"])
@login_required
def new_year():
    if not current_user.is_admin:
        abort(403)
    form = YearForm()
    form.set_choices()
    if request.method == "POST":
        try:
            with unit_of_work():
                year = selection.create_year(db.session, actor(), form.body())
        except ValidationFailed as exc:
            show_errors(form, exc)
            return render_template("showcase/year_form.html", form=form), 422
        flash(_("评选已发布，服务方现在可以提交作品"), "success")
        return redirect(url_for(".year", year_id=year.id))
    return render_template("showcase/year_form.html", form=form)


def _uploads(form):
    """Both image fields checked before anything is written; the after image is required."""
    checked, failures = {}, []
    for name in ("before", "after"):
        try:
            checked[name] = files.check(request.files.getlist(name), files.IMAGES, name)
        except ValidationFailed as exc:
            checked[name] = []
            failures.append(exc)
    if not checked["after"] and not failures:
        message = _("请上传至少一张改进后的图片")
        failures.append(ValidationFailed(message, {"after": [message]}))
    for failure in failures:
        show_errors(form, failure)
    return checked, bool(failures)


@bp.route("/showcase/submit", methods=["GET", "POST"])
@login_required
def submit():
    user = actor()
    if user.role != Role.PROVIDER:
        abort(403)
    year = selection.get_year(db.session, request.args.get("year", type=int) or 0)
    deals, cases = entries.sources(db.session, user)
    form = EntryForm()
    form.set_choices(deals, cases)
    if request.method == "GET":
        return render_template("showcase/form.html", form=form, year=year)
    uploads, failed = _uploads(form)
    written: list[str] = []
    try:
        with unit_of_work():
            entry = entries.submit(db.session, user, form.body(year.id))
            if failed:
                raise ValidationFailed(_("请修改标出的内容后再提交。"))
            written = entries.add_images(
                db.session, user, entry.id, uploads["before"], uploads["after"], upload_storage()
            )
    except ServiceError as exc:
        files.discard(upload_folder(), written)
        if exc.status in (403, 404):
            raise
        if exc.fields or not failed:
            show_errors(form, exc)
        return render_template("showcase/form.html", form=form, year=year), 422
    flash(_("作品已提交，评选结束后公布结果"), "success")
    return _back(entry.id)


@bp.get("/showcase/<int:entry_id>")
def entry(entry_id: int):
    return _entry_page(entry_id)


def _entry_page(entry_id: int, status: int = 200, **forms):
    user = actor()
    item = entries.read(db.session, user, entry_id)
    shown, panel = selection.panel_shown_to(user, item)
    in_selection = item.year.announced_at is None and item.status in (
        ShowcaseStatus.SUBMITTED,
        ShowcaseStatus.SHORTLISTED,
    )
    context = {
        "item": item,
        "before": entries.images_of(item, entries.BEFORE),
        "after": entries.images_of(item, entries.AFTER),
        "reviews": shown,
        "panel": panel,
        "criteria": selection.criteria(item),
        "administers": SHOWCASE_POLICY.can(user, "administer", item),
        "score_errors": forms.get("score_errors") or {},
        "scores_given": {},
    }
    if context["administers"] and in_selection:
        try:
            context["suggestions"] = selection.suggested_reviewers(
                db.session, get_search(), user, item.id
            )
        except SearchUnavailable:
            context["search_unavailable"] = True
    if SHOWCASE_POLICY.can(user, "score", item) and in_selection:
        context |= score_form(user, entries.SUBJECT, item.id, forms)
    return render_template("showcase/entry.html", **context), status


@bp.get("/showcase/<int:entry_id>/images/<int:attachment_id>")
def image(entry_id: int, attachment_id: int):
    return private_file(entries.image_of(db.session, actor(), entry_id, attachment_id))


panel_routes(
    bp,
    "/showcase/<int:entry_id>",
    page=".entry",
    service=selection,
    read=entries.read,
    again=_entry_page,
    scored=_l("评分已提交，结果公布前可以修改"),
)


# --- the year's selection --------------------------------------------------------------------


@bp.get("/showcase/years/<int:year_id>")
@login_required
def year(year_id: int):
    if not current_user.is_admin:
        abort(403)
    return _year_page(year_id)


def _year_page(year_id: int, status: int = 200, errors: list[str] | None = None):
    item = selection.get_year(db.session, year_id)
    rows = selection.ranking(db.session, actor(), year_id)
    return (
        render_template("showcase/year.html", year=item, rows=rows, errors=errors or []),
        status,
    )


def _pick(year_id: int, pick, done: str):
    """Run ``pick`` on the entries ticked on the year's page: a refusal redraws the page with
    its message; else ``done`` is said."""
    picked = {"entry_ids": [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]}
    try:
        with unit_of_work():
            pick(db.session, actor(), year_id, picked)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        return _year_page(year_id, 422, [exc.message])
    flash(done, "success")
    return redirect(url_for(".year", year_id=year_id))


@bp.post("/showcase/years/<int:year_id>/shortlist")
@login_required
def shortlist(year_id: int):
    return _pick(year_id, selection.shortlist, _("已入围"))


@bp.post("/showcase/years/<int:year_id>/winners")
@login_required
def winners(year_id: int):
    user = actor()
    if not confirmed():
        item = selection.get_year(db.session, year_id)
        if not user.is_admin:
            abort(403)
        return ask(announce_winners(item), url_for(".year", year_id=year_id))
    return _pick(year_id, selection.announce, _("获奖作品已公布"))
