"""Sign in and out, registration, password change and team members."""

from __future__ import annotations

import datetime as dt

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
from flask_login import current_user, login_required, login_user, logout_user

from ... import throttle
from ...extensions import db, login_manager
from ...http_errors import wait_message
from ...jobs.tasks import public_base_url
from ...models import Role, User
from ...schemas import DesignerRegistrationIn, RegistrationIn, validate
from ...services import accounts, api_tokens, colleagues, login_sessions, registration
from ...services.errors import ServiceError
from ...transaction import commit, unit_of_work
from ..common import actor, apply_field_errors, commit_and_redirect
from ..links import is_local_path
from . import devices
from .forms import (
    AcceptInvitationForm,
    ColleagueForm,
    DesignerRegistrationForm,
    LoginForm,
    PasswordForm,
    RegistrationForm,
)

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.dashboard",
    Role.ENTERPRISE: "demands.mine",
    Role.PROVIDER: "demands.leads",
    Role.DESIGNER: "talent.openings",
    Role.EXPERT: "experts.home",
}


bp.add_app_template_filter(devices.describe, "device")


@bp.record_once
def _configure_login(state) -> None:
    # "strong": a session cookie replayed from another browser/IP is dropped, remember-me too.
    login_manager.session_protection = "strong"
    login_manager.login_message = None


def home_for(user: User) -> str:
    return url_for(HOME_BY_ROLE.get(user.role, "main.index"))


def _login_form() -> LoginForm:
    return LoginForm(current_app.config["REMEMBER_DAYS"])


def _fresh_session() -> None:
    """No state carried over from before sign-in or after sign-out, except the language."""
    locale_choice = session.get("locale")
    session.clear()
    if locale_choice:
        session["locale"] = locale_choice


def _sign_in(user: User, remember: bool) -> None:
    """Start a recorded session for this browser; the caller commits."""
    config = current_app.config
    lifetime = (
        dt.timedelta(days=config["REMEMBER_DAYS"])
        if remember
        else dt.timedelta(hours=config["LOGIN_SESSION_HOURS"])
    )
    _fresh_session()
    login_sessions.start(db.session, user, remember, lifetime, request.user_agent.string)
    login_user(user, remember=remember)


def _throttled(template: str, exc: throttle.TooManyAttempts, form, **context):
    """The form again, with what was typed, saying how long to wait (429, Retry-After)."""
    form.form_errors.append(wait_message(exc.retry_after))
    response = make_response(render_template(template, form=form, **context), 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = _login_form()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        if current_user.is_authenticated:
            return redirect(home_for(current_user))
    if form.validate_on_submit():
        try:
            throttle.begin_sign_in(form.email.data)
        except throttle.TooManyAttempts as exc:
            return _throttled("auth/login.html", exc, form)
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            # One message for unknown e-mail, wrong password and disabled account.
            form.form_errors.append(_("邮箱或密码不正确"))
        else:
            throttle.signed_in(form.email.data)
            _sign_in(user, remember=bool(form.remember.data))
            commit()
            target = form.next.data
            return redirect(target if is_local_path(target) else home_for(user))
    return render_template("auth/login.html", form=form)


def _sign_out() -> None:
    logout_user()
    _fresh_session()


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        login_sessions.end(db.session, current_user.login_key)  # a copied cookie dies with it
        commit()
    _sign_out()
    flash(_("您已退出登录"), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("role") in (Role.ENTERPRISE, Role.PROVIDER):
        form.role.data = request.args["role"]
    return _registration(
        form, RegistrationIn, registration.register, "auth/register.html", {"body": "role"}
    )


@bp.route("/register/designer", methods=["GET", "POST"])
def register_designer():
    """An individual designer joins the talent pool (人才库): an account without an organisation."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_for(current_user))
    return _registration(
        DesignerRegistrationForm(),
        DesignerRegistrationIn,
        registration.register_designer,
        "auth/register_designer.html",
    )


def _registration(form, schema, record, template: str, aliases: dict | None = None):
    """A registration page: one answer whatever is registered already — the new account,
    waiting for its confirmation, is signed in here — and the rest goes by e-mail
    (``record``'s business)."""
    if request.method == "POST":
        try:
            throttle.registration_attempt()
        except throttle.TooManyAttempts as exc:
            return _throttled(template, exc, form)
        form.validate()  # CSRF, required inputs, password confirmation
        try:
            data = validate(schema, form.schema_data())
        except ServiceError as exc:
            apply_field_errors(form, exc.fields, aliases=aliases or {}, only_new=True)
        else:
            if not form.errors and not form.form_errors:
                try:
                    with unit_of_work():
                        user = record(
                            db.session,
                            data,
                            current_app.config,
                            public_base_url(),  # SERVER_NAME when set, never a forged Host
                            current_app.secret_key,
                        )
                        _sign_in(user, remember=False)
                except ServiceError as exc:  # a password the policy refuses
                    apply_field_errors(form, exc.fields)
                else:
                    return redirect(url_for("auth.registration_sent"))
    return render_template(template, form=form)


@bp.get("/register/sent")
def registration_sent():
    return render_template(
        "auth/registered.html",
        mail_enabled=bool(current_app.config.get("MAIL_SERVER")),
        home=home_for(current_user) if current_user.is_authenticated else url_for("main.index"),
    )


@bp.get("/register/confirm/<token>")
def confirm_email(token: str):
    outcome, user = registration.confirm_email(db.session, token, current_app.secret_key)
    commit()
    if outcome == "confirmed":
        _sign_in(user, remember=False)
        return commit_and_redirect(
            _("邮箱已确认，注册完成，欢迎使用！单位认证由平台管理员审核。"), home_for(user)
        )
    if outcome == "already":
        flash(_("邮箱已确认过，请登录。"), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_invalid.html"), 404


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = actor()
        this_browser = login_sessions.current(db.session, user)
        remembered = this_browser is not None and this_browser.remember
        try:
            with unit_of_work():
                # Ends every session and token, this browser's too: it signs in again here.
                accounts.change_password(
                    db.session, user, form.current_password.data, form.new_password.data
                )
                _sign_in(user, remember=remembered)
        except ServiceError as exc:
            apply_field_errors(form, exc.fields)
        else:
            flash(_("密码已修改，其他设备上的登录和 API 令牌已失效"), "success")
            return redirect(url_for("auth.change_password"))
    return render_template("auth/password.html", form=form)


@bp.get("/account/security")
@login_required
def security():
    user = actor()
    return render_template(
        "auth/security.html",
        sessions=login_sessions.of_user(db.session, user),
        this_browser=login_sessions.current(db.session, user),
        tokens=api_tokens.of_user(db.session, user),
    )


@bp.post("/account/security/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    accounts.sign_out_everywhere(db.session, actor())
    commit()
    _sign_out()
    flash(_("已在所有设备上退出登录，API 令牌也已失效"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/security/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if not login_sessions.end_one(db.session, actor(), session_id):
        abort(404)
    return commit_and_redirect(_("已退出该设备上的登录"), url_for("auth.security"))


@bp.post("/account/security/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    api_tokens.revoke(db.session, actor(), token_id)
    return commit_and_redirect(_("令牌已撤销"), url_for("auth.security"))


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
    return commit_and_redirect(
        _("已移除 %(email)s，该账号已停用", email=email), url_for("auth.team")
    )


@bp.post("/account/team/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int):
    colleagues.revoke(db.session, current_user, invitation_id)
    return commit_and_redirect(_("邀请已撤销"), url_for("auth.team"))


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
            with unit_of_work():
                user = colleagues.accept(
                    db.session, token, form.schema_data(), current_app.secret_key
                )
        except ServiceError as exc:
            apply_field_errors(form, exc.fields, only_new=True)
        else:
            _sign_in(user, remember=False)
            return commit_and_redirect(
                _("欢迎加入“%(name)s”！", name=invitation.organization.name), home_for(user)
            )
    return render_template("auth/invitation.html", form=form, invitation=invitation)
