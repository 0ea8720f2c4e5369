"""Sign in and out, registration, password change and team members."""

from __future__ import annotations

import math
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ...extensions import db, limiter, login_manager
from ...jobs.tasks import public_base_url
from ...models import Role, User
from ...schemas import RegistrationIn, validate
from ...services import accounts, colleagues, registration
from ...services.errors import ServiceError
from ...transaction import commit, unit_of_work
from ..main.links import is_local_path
from .forms import (
    AcceptInvitationForm,
    ColleagueForm,
    LoginForm,
    PasswordForm,
    RegistrationForm,
    apply_field_errors,
)

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.dashboard",
    Role.ENTERPRISE: "demands.mine",
    Role.PROVIDER: "demands.leads",
    Role.DESIGNER: "talent.openings",
    Role.EXPERT: "experts.home",
}


@bp.record_once
def _configure_login(state) -> None:
    # "strong": a session cookie replayed from another browser/IP is dropped, remember-me too.
    login_manager.session_protection = "strong"
    login_manager.login_message = None


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "main.index"))


def _login_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", "10 per minute")


def _login_key() -> str:
    """Rate-limit per client address and per account tried from it."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return f"login:{get_remote_address()}:{email}"


def _fresh_session() -> None:
    """Clear the session, keeping only the language the visitor chose."""
    locale_choice = session.get("locale")
    session.clear()
    if locale_choice:
        session["locale"] = locale_choice


def _wait_message(seconds: int) -> str:
    if seconds < 120:
        return _("登录尝试过于频繁，请 %(n)s 秒后再试。", n=seconds)
    return _("登录尝试过于频繁，请 %(n)s 分钟后再试。", n=math.ceil(seconds / 60))


def _throttled(limit: RequestLimit):
    """Past the limit the sign-in form stays, saying how long to wait, rather than an error
    page that loses what was typed (the limiter raises 429 with this response)."""
    wait = max(1, math.ceil(limit.window[0] - time.time()))  # window: (reset time, remaining)
    form = LoginForm()
    form.form_errors.append(_wait_message(wait))
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _current_locale() -> str:
    from .. import locale

    return locale()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_login_key, methods=["POST"], on_breach=_throttled)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(home_for(current_user))
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            # One message for unknown e-mail, wrong password and disabled account.
            form.form_errors.append(_("邮箱或密码不正确"))
        else:
            _fresh_session()  # no state carried over from before sign-in
            login_user(user, remember=bool(form.remember.data))
            commit()
            target = form.next.data
            return redirect(target if is_local_path(target) else home_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    _fresh_session()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    form = RegistrationForm(_current_locale())
    if request.method == "GET" and request.args.get("role") in (Role.ENTERPRISE, Role.PROVIDER):
        form.role.data = request.args["role"]
    if request.method == "POST":
        form.validate()  # CSRF, required inputs, password confirmation
        try:
            data = validate(RegistrationIn, form.schema_data())
        except ServiceError as exc:
            apply_field_errors(form, exc.fields, aliases={"body": "role"}, only_new=True)
        else:
            if not form.errors and not form.form_errors:
                # One answer whatever is registered already: the rest goes by e-mail.
                try:
                    with unit_of_work():
                        registration.register(
                            db.session,
                            data,
                            current_app.config,
                            request.url_root.rstrip("/"),
                            current_app.secret_key,
                        )
                except ServiceError as exc:  # a password the policy refuses
                    apply_field_errors(form, exc.fields)
                else:
                    return redirect(url_for("auth.registration_sent"))
    return render_template("auth/register.html", form=form)


@bp.get("/register/sent")
def registration_sent():
    return render_template(
        "auth/registered.html", mail_enabled=bool(current_app.config.get("MAIL_SERVER"))
    )


@bp.get("/register/confirm/<token>")
def confirm_email(token: str):
    outcome, user = registration.confirm_email(db.session, token, current_app.secret_key)
    commit()
    if outcome == "confirmed":
        _fresh_session()
        login_user(user)
        flash(_("邮箱已确认，注册完成，欢迎使用！单位认证由平台管理员审核。"), "success")
        return redirect(home_for(user))
    if outcome == "already":
        flash(_("邮箱已确认过，请登录。"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_invalid.html"), 404


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                accounts.change_password(
                    db.session, current_user, form.current_password.data, form.new_password.data
                )
        except ServiceError as exc:
            apply_field_errors(form, exc.fields)
        else:
            flash(_("密码已修改"), "success")
            return redirect(url_for("auth.change_password"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/team", methods=["GET", "POST"])
@login_required
def team():
    organization = current_user.organization
    if organization is None:
        abort(403)
    form = ColleagueForm()
    status = 200
    if request.method == "POST":
        form.validate()  # required fields; the service's schema reports the rest alongside
        try:
            with unit_of_work():
                colleagues.invite(
                    db.session,
                    current_user,
                    form.schema_data(),
                    public_base_url(),
                    current_app.secret_key,
                )
        except ServiceError as exc:
            apply_field_errors(form, exc.fields, only_new=True)
            if not exc.fields:
                form.form_errors.append(exc.message)
        else:
            flash(
                _(
                    "邀请已发送到 %(email)s，对方打开邮件中的链接设置密码后即可加入。",
                    email=form.email.data.strip(),
                ),
                "success",
            )
            return redirect(url_for("auth.team"))
    if request.method == "POST":
        status = 422
    members = sorted(organization.users, key=lambda u: (u.created_at, u.id))
    return render_template(
        "auth/team.html",
        form=form,
        organization=organization,
        members=members,
        owner=colleagues.owner_of(organization),
        invitations=colleagues.pending(db.session, organization),
        mail_enabled=bool(current_app.config.get("MAIL_SERVER")),
    ), status


@bp.post("/account/team/<int:user_id>/remove")
@login_required
def remove_colleague(user_id: int):
    colleague = colleagues.remove(db.session, current_user, user_id)
    email = colleague.email
    commit()
    flash(_("已移除 %(email)s，该账号已停用", email=email), "success")
    return redirect(url_for("auth.team"))


@bp.post("/account/team/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    colleagues.revoke(db.session, current_user, invitation_id)
    commit()
    flash(_("邀请已撤销"), "success")
    return redirect(url_for("auth.team"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = colleagues.opened(db.session, token, current_app.secret_key)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = invitation.name
    elif form.validate_on_submit():
        try:
            user = colleagues.accept(db.session, token, form.schema_data(), current_app.secret_key)
            commit()
        except ServiceError as exc:
            db.session.rollback()
            apply_field_errors(form, exc.fields, only_new=True)
        else:
            session.clear()
            login_user(user)
            flash(_("欢迎加入“%(name)s”！", name=invitation.organization.name), "success")
            return redirect(home_for(user))
    return render_template("auth/invitation.html", form=form, invitation=invitation)
