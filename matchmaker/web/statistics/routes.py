"""The statistics dashboard (administrators only) and its CSV / XLSX export."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import statistics as statistics_service
from ...services import statistics_talent
from ...services.errors import ValidationFailed
from .. import charts
from ..common import actor, show_errors
from . import export
from .export import label
from .forms import FilterForm

bp = Blueprint("statistics", __name__, url_prefix="/admin/statistics")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


def _report():
    """The filter form and the report for the request's filters (None when they are invalid)."""
    form = FilterForm(request.args)
    form.set_choices()
    try:
        if form.start.raw_data and form.start.raw_data[0] and form.start.data is None:
            raise ValidationFailed(_("筛选条件有误"), {"start": [_("请填写有效的日期")]})
        if form.end.raw_data and form.end.raw_data[0] and form.end.data is None:
            raise ValidationFailed(_("筛选条件有误"), {"end": [_("请填写有效的日期")]})
        filters = statistics_service.make_filters(
            form.start.data, form.end.data, form.cluster.data or None, form.region.data or None
        )
    except ValidationFailed as exc:
        form.start.errors, form.end.errors = [], []  # only the service's messages
        show_errors(form, exc)
        return form, None
    form.start.data, form.end.data = filters.start, filters.end
    user = actor()
    return form, (
        statistics_service.report(db.session, user, filters),
        statistics_talent.report(db.session, user, filters),
    )


def _charts(report) -> dict:
    clusters = sorted(
        set(report.demands_by_cluster) | set(report.providers_by_cluster),
        key=lambda c: (
            -report.demands_by_cluster.get(c, 0),
            -report.providers_by_cluster.get(c, 0),
            c,
        ),
    )
    stages, labels = report.funnel.stages(), export.stage_labels()
    return {
        "funnel": charts.bar_chart(
            [(labels[stage], [n]) for stage, n in stages],
            [
                _("较上一阶段 %(rate)s", rate=export.percent(report.funnel.rate(stage)))
                if i and report.funnel.rate(stage) is not None
                else ""
                for i, (stage, _n) in enumerate(stages)
            ],
        ),
        "bars": charts.bar_chart(
            [
                (
                    label("clusters", c),
                    [report.demands_by_cluster.get(c, 0), report.providers_by_cluster.get(c, 0)],
                )
                for c in clusters
            ]
        ),
        "trend": charts.line_chart(
            report.months,
            {
                "demands": [report.demands_by_month[m] for m in report.months],
                "providers": [report.providers_by_month[m] for m in report.months],
            },
        ),
    }


@bp.get("")
def dashboard():
    form, reports = _report()
    if reports is None:
        return render_template("statistics/dashboard.html", form=form, report=None), 422
    report, figures = reports
    query = {
        k: v
        for k, v in (
            ("start", report.filters.start.isoformat()),
            ("end", report.filters.end.isoformat()),
            ("cluster", report.filters.cluster),
            ("region", report.filters.region),
        )
        if v
    }
    return render_template(
        "statistics/dashboard.html",
        form=form,
        report=report,
        tables=export.tables(report) + export.talent_tables(figures),
        figures=figures,
        query=query,
        percent=export.percent,
        number=export.number,
        **_charts(report),
    )


def _download(content: bytes, mimetype: str, extension: str, report) -> Response:
    period = f"{report.filters.start.isoformat()}-{report.filters.end.isoformat()}"
    name = f"matchmaker-statistics-{period}.{extension}"
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/export.csv")
def export_csv():
    form, reports = _report()
    if reports is None:
        abort(400)
    return _download(export.to_csv(*reports), "text/csv; charset=utf-8", "csv", reports[0])


@bp.get("/export.xlsx")
def export_xlsx():
    form, reports = _report()
    if reports is None:
        abort(400)
    return _download(export.to_xlsx(*reports), XLSX, "xlsx", reports[0])
