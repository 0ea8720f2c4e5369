"""Home page and language switch."""
from flask import Blueprint, redirect, render_template, request, session, url_for

from ...extensions import db
from ...services import stats

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html", counts=stats.home_counts(db.session))


@bp.post("/language")
def set_language():
    locale = request.form.get("locale")
    if locale in ("zh", "en"):
        session["locale"] = locale
    target = request.form.get("next") or ""
    # Only local paths: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)
