"""Layered archives: /admin/archive/demands and /admin/archive/providers.

One page per archive: the tree of counts (tier → cluster → district → level or status),
the records under the chosen node, and exports of that node (records or counts, CSV or
XLSX). Administrators only; the services check the role again.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import archive
from ...spreadsheets import table_workbook
from ..downloads import attachment, csv_bytes
from .forms import FilterForm
from .tables import counts_table, demand_table, node_label, provider_table

bp = Blueprint("archive", __name__, url_prefix="/admin/archive")
PER_PAGE = 20
EXPORT_NAMES = {
    "demands": ("需求档案库", "demand-archive"),
    "providers": ("服务能力档案库", "provider-archive"),
}


@bp.before_request
@login_required
def require_admin():
    if not current_user.is_admin:
        abort(403)


def _filters(which: str) -> tuple[FilterForm, archive.Filters]:
    form = FilterForm(formdata=request.args)
    form.fill_choices()
    form.validate()  # invalid dates get a message on the form and are not applied
    return form, archive.Filters(
        verified=bool(form.verified.data),
        status=form.status.data or None if which == "demands" else None,
        kind=form.kind.data or None if which == "providers" else None,
        since=form.since.data if not form.since.errors else None,
        until=form.until.data if not form.until.errors else None,
    )


def _path() -> archive.Path:
    args = request.args
    return archive.normalise_path(
        archive.Path(
            args.get("tier") or None,
            args.get("cluster") or None,
            args.get("region") or None,
            args.get("leaf") or None,
        )
    )


def _tree(which: str, filters: archive.Filters) -> archive.Node:
    build = archive.demand_tree if which == "demands" else archive.provider_tree
    return build(db.session, current_user, filters)


def _records(
    which: str, path: archive.Path, filters: archive.Filters, page: int, per_page: int | None
):
    load = archive.demand_records if which == "demands" else archive.provider_records
    return load(db.session, current_user, path, filters, page=page, per_page=per_page)


@bp.get("")
def index():
    return redirect(url_for("archive.view", which="demands"))


@bp.get("/<any(demands, providers):which>")
def view(which: str):
    form, filters = _filters(which)
    path = _path()
    root = _tree(which, filters)
    node = archive.find(root, path)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    records, total = _records(which, path, filters, page, PER_PAGE)
    trail = archive.trail(root, path)
    filter_args = {k: v for k, v in request.args.items() if k in form.data and v}
    return render_template(
        "archive/index.html",
        which=which,
        form=form,
        root=root,
        node=node,
        path=path,
        trail=trail,
        records=records,
        total=total,
        page=page,
        per_page=PER_PAGE,
        filter_args=filter_args,
        node_label=lambda n: node_label(n, which),
    )


@bp.get("/<any(demands, providers):which>/export.<any(csv, xlsx):fmt>")
def export(which: str, fmt: str):
    _form, filters = _filters(which)
    path = _path()
    if request.args.get("what") == "counts":
        headers, rows = counts_table(_tree(which, filters), which)
        suffix, ascii_suffix = _("统计"), "counts"
    else:
        records, _total = _records(which, path, filters, 1, None)
        headers, rows = (demand_table if which == "demands" else provider_table)(records)
        suffix, ascii_suffix = "", "records"
    name, ascii_name = EXPORT_NAMES[which]
    parts = [
        node_label(archive.Node(level, code, 0, path), which)
        for level, code in zip(
            archive.LEVELS, (path.tier, path.cluster, path.region, path.leaf), strict=True
        )
        if code
    ]
    filename = "-".join([name, *parts, suffix] if suffix else [name, *parts])
    data = csv_bytes(headers, rows) if fmt == "csv" else table_workbook(headers, rows, title=name)
    return attachment(data, fmt, filename, f"{ascii_name}-{ascii_suffix}")
