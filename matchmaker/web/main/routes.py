"""Home page, language switch and page helpers shared by every template."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from ... import china_time
from ...extensions import db
from ...services import figures
from ..links import is_local_path
from . import home_page

bp = Blueprint("main", __name__)

# Stored naive-UTC timestamps shown in China Standard Time.
bp.add_app_template_filter(china_time.formatted, "localtime")


@bp.app_template_global()
def has_endpoint(endpoint: str) -> bool:
    """Navigation links to pages of other features only once those pages exist."""
    return endpoint in current_app.view_functions


@bp.get("/")
def index():
    counts = figures.live(db.session)
    if current_user.is_authenticated:
        return render_template("main/index.html", counts=counts, role=current_user.role)
    if home_page.keepable():
        return home_page.for_visitor(counts)
    return render_template("main/index.html", counts=counts, role=None)


@bp.post("/language")
def set_language():
    locale = request.form.get("locale")
    if locale in ("zh", "en"):
        session["locale"] = locale
    target = request.form.get("next") or ""
    # Only local paths: never an open redirect.
    if not is_local_path(target):
        target = url_for("main.index")
    return redirect(target)
