"""Administrators manage users: search, one user's page with its actions and audit trail."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...jobs.tasks import public_base_url
from ...services import password_reset, user_admin
from ...services.errors import Conflict
from ...transaction import commit, unit_of_work
from .. import questions
from ..confirm import ask, confirmed
from ..search_pages import page_number
from .routes import bp

PER_PAGE = 30


@bp.get("/users")
def users():
    text = request.args.get("q", "").strip()[:100]
    page = page_number(high=1000)
    rows, total = user_admin.search(db.session, current_user, text, page, PER_PAGE)
    return render_template(
        "admin/users.html", rows=rows, total=total, page=page, per_page=PER_PAGE, q=text
    )


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    shown = user_admin.get(db.session, current_user, user_id)
    return render_template(
        "admin/user.html", user=shown, trail=user_admin.trail(db.session, current_user, user_id)
    )


def _done(user_id: int, message: str):
    flash(message, "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.post("/users/<int:user_id>/deactivate")
def deactivate_user(user_id: int):
    shown = user_admin.get(db.session, current_user, user_id)
    if not confirmed():
        return ask(questions.deactivate_user(shown), url_for(".user", user_id=user_id))
    try:
        with unit_of_work():
            user_admin.set_active(db.session, current_user, user_id, False)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for(".user", user_id=user_id))
    return _done(user_id, _("账号已停用"))


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    user_admin.set_active(db.session, current_user, user_id, True)
    commit()
    return _done(user_id, _("账号已重新启用"))


@bp.post("/users/<int:user_id>/revoke")
def revoke_user_sign_ins(user_id: int):
    user_admin.revoke_sign_ins(db.session, current_user, user_id)
    commit()
    return _done(user_id, _("该用户的所有登录和 API 令牌已失效"))


@bp.post("/users/<int:user_id>/reset-password")
def force_password_reset(user_id: int):
    shown = user_admin.get(db.session, current_user, user_id)
    if not confirmed():
        return ask(questions.force_password_reset(shown), url_for(".user", user_id=user_id))
    password_reset.force(
        db.session,
        current_user,
        user_id,
        public_base_url(),
        current_app.secret_key,
        current_app.config["PASSWORD_RESET_MINUTES"],
    )
    commit()
    return _done(user_id, _("已作废当前密码，并向用户发送重置链接"))
