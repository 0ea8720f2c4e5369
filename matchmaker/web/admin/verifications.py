"""The verification queue: each request's evidence beside the organisation, approve or reject."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...services import evidence
from ...services.errors import Conflict, ValidationFailed
from ...transaction import unit_of_work
from .routes import bp


def _render(errors: dict[int, list[str]] | None = None, status: int = 200):
    return render_template(
        "admin/verifications.html",
        items=evidence.queue(db.session, current_user),
        claims=evidence.pending_claims(db.session, current_user),
        errors=errors or {},
    ), status


@bp.get("/verifications")
def verifications():
    return _render()


@bp.post("/verifications/<int:request_id>/approve")
def approve_verification(request_id: int):
    try:
        with unit_of_work():
            organization = evidence.approve(db.session, current_user, request_id)
            name = organization.name
    except Conflict as exc:
        return _render({request_id: [exc.message]}, 409)
    flash(_("已认证“%(name)s”", name=name), "success")
    return redirect(url_for(".verifications"))


@bp.post("/verifications/<int:request_id>/reject")
def reject_verification(request_id: int):
    try:
        with unit_of_work():
            evidence.reject(db.session, current_user, request_id, request.form.get("reason", ""))
    except ValidationFailed as exc:
        return _render({request_id: exc.fields.get("reason", [exc.message])}, 422)
    flash(_("已驳回认证申请，并通知该单位"), "success")
    return redirect(url_for(".verifications"))
