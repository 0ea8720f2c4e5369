"""Saved lead searches (alerts) and the no-login unsubscribe link."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import saved_searches
from ...services.errors import ValidationFailed
from ...transaction import commit, unit_of_work
from ..common import commit_and_redirect

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


@bp.get("")
@login_required
def index():
    return render_template(
        "alerts/index.html", searches=saved_searches.list_for(db.session, current_user)
    )


@bp.post("")
@login_required
def create():
    query = {
        "q": request.form.get("q", ""),
        "budget_min": request.form.get("budget_min"),
        "budget_max": request.form.get("budget_max"),
        **{key: request.form.getlist(key) for key in saved_searches.FILTER_KEYS},
    }
    try:
        with unit_of_work():
            saved_searches.save(db.session, current_user, request.form.get("name", ""), query)
    except ValidationFailed as exc:
        flash("；".join(m for messages in exc.fields.values() for m in messages), "error")
        return redirect(url_for("alerts.index"))
    flash(_("已保存搜索，有新的匹配需求时每天最多提醒一次"), "success")
    return redirect(url_for("alerts.index"))


@bp.post("/<int:saved_id>/delete")
@login_required
def delete(saved_id: int):
    saved_searches.delete(db.session, current_user, saved_id)
    return commit_and_redirect(_("已删除"), url_for("alerts.index"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    if request.method == "POST":
        saved = saved_searches.unsubscribe(db.session, token)
        commit()
        return render_template("alerts/unsubscribed.html", saved=saved)
    return render_template("alerts/unsubscribe.html", token=token)
