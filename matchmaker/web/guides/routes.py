"""The supply–demand guide: public editions and downloads, subscriptions, and the admin's drafts.

Public: ``/guides`` (published editions), ``/guides/<id>`` and its ``.pdf`` / ``.xlsx``
(drafts are 404 except to administrators, who preview them). Signed-in users subscribe at
``/guides/subscribe``. Administrators manage drafts under ``/admin/guides``.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...jobs import tasks as jobs
from ...models import GuideStatus
from ...services import guides
from ...services.errors import ValidationFailed
from ...services.guides import charts as guide_charts
from ...services.guides import files as guide_files
from ...services.guides import labels, talent_tables
from ...services.guides import pdf as guide_pdf
from ...taxonomy import get_taxonomy
from ...transaction import commit, unit_of_work
from .. import charts, questions
from ..common import actor, apply_field_errors, commit_and_redirect
from ..confirm import ask, confirmed
from ..decorators import admin_required
from ..links import is_local_path
from .forms import ActionForm, GuideForm

bp = Blueprint("guides", __name__)


@bp.context_processor
def guide_labels() -> dict:
    return {"guide_status_labels": GuideStatus.labels}


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EDITION_LANGUAGES = ("zh", "en")


def _locale() -> str:
    from .. import locale

    return locale()


def page_charts(guide, trend: list[dict]) -> dict:
    """The guide's three charts for templates/charts.html, in the page's language."""
    content, locale = guide.content or {}, _locale()
    taxonomy = get_taxonomy()
    heat = content.get("heatmap") or {}
    return {
        "bars": charts.bar_chart(
            [(b.label, [b.demands, b.verified]) for b in guide_charts.cluster_bars(content, locale)]
        ),
        "heat": charts.heat_map(
            [taxonomy.regions.label(code, locale) for code in heat.get("regions", [])],
            [
                (taxonomy.clusters.label(row["cluster"], locale), row["counts"])
                for row in heat.get("rows", [])
            ],
        ),
        "trend": charts.line_chart(
            [labels.edition_label(p) for p in trend],
            {key: [p[key] for p in trend] for key in ("open_demands", "verified_providers")},
        ),
    }


# --- public ----------------------------------------------------------------------------------


@bp.get("/guides")
def index():
    kind = request.args.get("kind")
    kind = kind if kind in guides.KINDS else "design"
    return render_template(
        "guides/index.html",
        kind=kind,
        editions=guides.list_published(db.session, kind),
        subscribed=guides.is_subscribed(db.session, actor()),
        action=ActionForm(),
        gl=labels,
    )


def publish_question(guide):
    """What publishing this draft does (asked before it is done)."""
    publication = guides.publication(db.session, current_user, guide.id)
    return questions.publish_guide(guide, publication)


@bp.get("/guides/<int:guide_id>")
def show(guide_id: int):
    guide = guides.get_visible(db.session, actor(), guide_id)
    trend = guides.trend(db.session, guide)
    if guide.kind == "talent":
        return _show_talent(guide, trend)
    return render_template(
        "guides/show.html",
        publish=publish_question(guide) if guide.status == GuideStatus.DRAFT else None,
        guide=guide,
        c=guide.content or {},
        trend=trend,
        charts=page_charts(guide, trend),
        previous=guides.previous_of(db.session, guide),
        subscribed=guides.is_subscribed(db.session, actor()),
        action=ActionForm(),
        gl=labels,
        editions=guides.list_published(db.session),
    )


def _show_talent(guide, trend: list[dict]):
    """A scarce-talent edition: its tables, a chart of the scarcest specialities, the trend."""
    content, locale = guide.content or {}, _locale()
    rows = {r["code"]: r for r in content.get("specialities", [])}
    scarce = content.get("scarcity", {}).get("specialities", [])[:10]
    services = get_taxonomy().services
    return render_template(
        "guides/talent.html",
        publish=publish_question(guide) if guide.status == GuideStatus.DRAFT else None,
        guide=guide,
        facts=talent_tables.facts(content),
        summary=talent_tables.changes_summary(content, locale),
        tables=talent_tables.tables(content, trend, locale),
        charts={
            "bars": charts.bar_chart(
                [
                    (services.label(code, locale), [rows[code]["places"], rows[code]["people"]])
                    for code in scarce
                ]
            ),
            "trend": charts.line_chart(
                [labels.edition_label(p) for p in trend],
                {key: [p[key] for p in trend] for key in ("open_places", "people")},
            ),
        },
        subscribed=guides.is_subscribed(db.session, actor()),
        action=ActionForm(),
        gl=labels,
        editions=guides.list_published(db.session, "talent"),
    )


MIMETYPES = {"pdf": "application/pdf", "xlsx": XLSX_TYPE}
EDITION_MAX_AGE = 86400  # editions never change; a day keeps caches from holding errors long


def _download(guide_id: int, fmt: str) -> Response:
    """A published edition's stored file (rendered once after publication); an
    administrator's draft preview rendered on the spot and never cached."""
    guide = guides.get_visible(db.session, actor(), guide_id)
    locale = _edition_locale()
    name = guide_pdf.filename(guide, fmt, locale)
    folder = current_app.config["UPLOAD_FOLDER"]
    if guide.status != GuideStatus.PUBLISHED:
        data = guide_files.render(db.session, guide, current_app.config, fmt, locale)
        response = Response(data, mimetype=MIMETYPES[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    path = guide_files.stored(folder, guide, fmt, locale)
    if path is None:  # the render job has not finished (or failed: it is on the jobs page)
        jobs.render_guide(guide.id)
        response = make_response(
            render_template("error.html", status=503, message=_("文件正在生成，请稍后再试")),
            503,
        )
        response.headers["Retry-After"] = "30"
        return response
    stat = path.stat()
    response = send_file(
        io.BytesIO(path.read_bytes()),  # a few MB at most; no file handle outlives the request
        mimetype=MIMETYPES[fmt],
        as_attachment=True,
        download_name=name,
        conditional=True,
        etag=f"{path.name}-{stat.st_mtime_ns}",
        last_modified=stat.st_mtime,
        max_age=EDITION_MAX_AGE,
    )
    response.cache_control.public = True
    return response


def _edition_locale() -> str:
    """A download's language: ``?lang=zh|en`` (each page offers both editions), else the page's."""
    wanted = request.args.get("lang")
    return wanted if wanted in EDITION_LANGUAGES else _locale()


@bp.get("/guides/<int:guide_id>.pdf")
def download_pdf(guide_id: int):
    return _download(guide_id, "pdf")


@bp.get("/guides/<int:guide_id>.xlsx")
def download_xlsx(guide_id: int):
    return _download(guide_id, "xlsx")


@bp.post("/guides/subscribe")
@login_required
def subscribe():
    if not ActionForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("subscribe")
    if wanted in ("1", "0"):
        subscribed = guides.set_subscription(db.session, current_user, wanted == "1")
    else:
        subscribed = guides.toggle_subscription(db.session, current_user)
    commit()
    flash(
        _("已订阅：新一期指南发布时将通知您") if subscribed else _("已取消订阅供需指南"), "success"
    )
    target = request.form.get("next") or ""
    return redirect(target if is_local_path(target) else url_for("guides.index"))


# --- administration --------------------------------------------------------------------------


def _show_errors(form: GuideForm, exc: ValidationFailed) -> None:
    """Only the service's messages (in the page's language), not WTForms' own."""
    for field in form:
        field.errors = []
    apply_field_errors(form, exc.fields or {"": [exc.message]})


def _render_admin(form: GuideForm | None = None, status: int = 200):
    if form is None:
        form = GuideForm(formdata=None)
    form.set_choices()
    guides_list = guides.list_all(db.session, current_user)
    return render_template(
        "guides/admin.html",
        guides_list=guides_list,
        publish={g.id: publish_question(g) for g in guides_list if g.status == GuideStatus.DRAFT},
        form=form,
        action=ActionForm(),
        gl=labels,
    ), status


@bp.get("/admin/guides")
@admin_required
def admin_index():
    return _render_admin()


def _posted_form() -> GuideForm:
    """The submitted guide form with its choices; without a valid CSRF token, a 400."""
    form = GuideForm()
    form.set_choices()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    return form


@bp.post("/admin/guides")
@admin_required
def admin_create():
    form = _posted_form()
    try:
        with unit_of_work():
            guide = guides.create_draft(
                db.session, current_user, form.body(), form.kind.data or "design"
            )
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return _render_admin(form, 422)
    flash(_("已生成草稿：%(title)s", title=guide.title), "success")
    return redirect(url_for("guides.show", guide_id=guide.id))


@bp.route("/admin/guides/<int:guide_id>/edit", methods=["GET", "POST"])
@admin_required
def admin_edit(guide_id: int):
    guide = guides.get_for_admin(db.session, current_user, guide_id)
    if guide.status != GuideStatus.DRAFT:
        flash(_("已发布的指南不可修改"), "error")
        return redirect(url_for("guides.show", guide_id=guide.id))
    if request.method == "GET":
        form = GuideForm(formdata=None, data=guides.guide_input(guide))
        form.set_choices()
        return render_template("guides/edit.html", guide=guide, form=form)
    form = _posted_form()
    try:
        with unit_of_work():
            guides.update_draft(db.session, current_user, guide_id, form.body())
    except ValidationFailed as exc:
        _show_errors(form, exc)
        return render_template("guides/edit.html", guide=guide, form=form), 422
    flash(_("草稿已保存"), "success")
    return redirect(url_for("guides.show", guide_id=guide_id))


def _action(guide_id: int, operation, message: str, to_show: bool = True):
    if not ActionForm().validate_on_submit():
        abort(400)
    guide = operation(db.session, current_user, guide_id)
    return commit_and_redirect(
        message,
        url_for("guides.show", guide_id=guide_id)
        if to_show and guide is not None
        else url_for("guides.admin_index"),
    )


@bp.post("/admin/guides/<int:guide_id>/regenerate")
@admin_required
def admin_regenerate(guide_id: int):
    return _action(guide_id, guides.regenerate, _("已按当前数据重新生成草稿"))


@bp.post("/admin/guides/<int:guide_id>/delete")
@admin_required
def admin_delete(guide_id: int):
    return _action(guide_id, guides.delete_draft, _("草稿已删除"), to_show=False)


@bp.post("/admin/guides/<int:guide_id>/publish")
@admin_required
def admin_publish(guide_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not confirmed():
        guide = guides.get_for_admin(db.session, current_user, guide_id)
        return ask(publish_question(guide), url_for("guides.show", guide_id=guide_id))
    guide = guides.publish(db.session, current_user, guide_id)
    return commit_and_redirect(
        _("已发布第 %(n)s 期，已通知订阅用户", n=guide.edition),
        url_for("guides.show", guide_id=guide.id),
    )
