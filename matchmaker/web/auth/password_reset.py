"""Links by e-mail: a forgotten password (ask for a link, then set a new one) and a
confirmation mail that never came. Everyone reads the same answer; requests are throttled."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import Length

from ...extensions import db
from ...http_errors import error_response
from ...jobs.tasks import public_base_url
from ...link_throttle import wait_seconds
from ...services import password_reset, registration
from ...services.errors import ServiceError
from ...transaction import unit_of_work
from ..common import CHECKED_REQUIRED, apply_field_errors
from ..links import is_local_path
from .forms import repeat_of
from .routes import bp


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("电子邮箱"),
        validators=[*CHECKED_REQUIRED, Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("新密码"), validators=CHECKED_REQUIRED, render_kw={"autocomplete": "new-password"}
    )
    confirm = repeat_of("password", _l("确认新密码"))


def _minutes() -> int:
    return current_app.config["PASSWORD_RESET_MINUTES"]


def _mail_link(kind: str, send):
    """The form of one kind of mailed link ("reset", "confirm"); ``send(email)`` mails it (or
    not) and the answer is the same for every address."""
    form = ForgotForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        wait = wait_seconds(email)
        if wait is not None:
            minutes = max(1, round(wait / 60))
            form.form_errors.append(_("请求过于频繁，请 %(n)s 分钟后再试", n=minutes))
            headers = {"Retry-After": str(wait)}
            return render_template("auth/mail_link.html", form=form, kind=kind), 429, headers
        with unit_of_work():
            send(email)
        return render_template(
            "auth/mail_link_sent.html",
            kind=kind,
            mail_enabled=bool(current_app.config.get("MAIL_SERVER")),
            minutes=_minutes(),
        )
    status = 422 if request.method == "POST" else 200
    return render_template("auth/mail_link.html", form=form, kind=kind), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    return _mail_link(
        "reset",
        lambda email: password_reset.request_link(
            db.session, email, public_base_url(), current_app.secret_key, _minutes()
        ),
    )


@bp.route("/register/resend", methods=["GET", "POST"])
def resend_confirmation():
    return _mail_link(
        "confirm",
        lambda email: registration.resend_confirmation(
            db.session, email, current_app.config, public_base_url(), current_app.secret_key
        ),
    )


@bp.post("/account/confirmation/resend")
@login_required
def resend_mine():
    """The signed-in account's confirmation link again (the button of the banner every page
    shows while the address is not confirmed), throttled like the form above."""
    user = current_user._get_current_object()
    wait = wait_seconds(user.email)
    if wait is not None:
        message = _("请求过于频繁，请 %(n)s 分钟后再试", n=max(1, round(wait / 60)))
        response = make_response(error_response(429, message))
        response.headers["Retry-After"] = str(wait)
        return response
    with unit_of_work():
        registration.resend_to(
            db.session, user, current_app.config, public_base_url(), current_app.secret_key
        )
    flash(_("确认邮件已发送到 %(email)s，请查收并打开其中的链接。", email=user.email), "success")
    target = request.form.get("next", "")
    return redirect(target if is_local_path(target) else url_for("main.index"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    secret = current_app.secret_key
    if password_reset.user_for(db.session, token, secret, _minutes()) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                password_reset.reset(db.session, token, form.password.data, secret, _minutes())
        except ServiceError as exc:
            apply_field_errors(form, exc.fields)
            if not exc.fields:
                form.form_errors.append(exc.message)
        else:
            flash(_("密码已重置，其他设备上的登录已全部退出。请用新密码登录。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, token=token)
