"""Reports for the administrators: conversations one side reported, reviews someone reported."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...services import conversations, deals
from ...services.errors import ValidationFailed
from ...transaction import unit_of_work
from ..common import commit_and_redirect
from .routes import bp


def _render(errors: dict[int, list[str]] | None = None, status: int = 200):
    return render_template(
        "admin/reports.html",
        reports=conversations.open_reports(db.session, current_user),
        reviews=deals.reported(db.session, current_user),
        errors=errors or {},
    ), status


@bp.get("/reports")
def reports():
    return _render()


@bp.post("/reports/<int:report_id>/close")
def close_report(report_id: int):
    conversations.close_report(db.session, current_user, report_id)
    return commit_and_redirect(_("举报已处理，这段对话不再对管理员开放"), url_for(".reports"))


@bp.post("/reviews/<int:review_id>/hide")
def hide_review(review_id: int):
    try:
        with unit_of_work():
            deals.set_hidden(
                db.session, current_user, review_id, True, request.form.get("reason", "")
            )
    except ValidationFailed as exc:
        return _render({review_id: exc.fields.get("reason", [exc.message])}, 422)
    flash(_("评价已隐藏"), "success")
    return redirect(url_for(".reports"))


@bp.post("/reviews/<int:review_id>/keep")
def keep_review(review_id: int):
    deals.set_hidden(db.session, current_user, review_id, False)
    return commit_and_redirect(_("评价保持公开"), url_for(".reports"))
