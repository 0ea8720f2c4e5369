"""People's pages: the public pool of cards, one card, a person's own profile, works, data
and contact requests, and the needs recommended to them."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, logout_user

from search import TALENT, SearchUnavailable

from ...extensions import db
from ...models import Role, TalentNeedStatus
from ...schemas import try_validate
from ...search_engine import get_search
from ...services import accounts, vouching
from ...services.access import require_role
from ...services.errors import ValidationFailed
from ...services.talent import contacts, matching, needs, privacy, profiles
from ...services.talent.cards import TalentCard, card_of
from ...services.talent.inputs import TalentProfileIn
from ...transaction import commit, unit_of_work
from ..common import actor, commit_and_redirect, show_errors
from ..confirm import ask, confirmed
from ..questions import accept_contact, delete_talent_data
from ..search_pages import faceted_query, searched
from .forms import ContactForm, TalentProfileForm, TalentWorkForm

bp = Blueprint("talent", __name__)

FACETS = ("speciality", "cluster", "region", "title", "seniority", "availability")
PER_PAGE = 24


# --- the public pool ---------------------------------------------------------------------------


@bp.get("/talent")
def pool():
    query, state = faceted_query(TALENT, FACETS, PER_PAGE)
    results, unavailable = searched(matching.search_pool, query)
    return render_template(
        "talent/pool.html", results=results, search_unavailable=unavailable, state=state
    )


def _contact_form(user) -> ContactForm | None:
    """The form to contact a person, for an organisation's users with open needs."""
    if user is None or user.role not in ("enterprise", "provider"):
        return None
    form = ContactForm()
    form.need_id.choices = [
        (str(n.id), n.title)
        for n, _contacts, _accepted in needs.own_needs(db.session, user)
        if n.status == TalentNeedStatus.OPEN
    ]
    return form


@bp.route("/talent/<int:profile_id>", methods=["GET", "POST"])
def card(profile_id: int):
    user = actor()
    shown = profiles.read_profile(db.session, user, profile_id)
    if not isinstance(shown, TalentCard) and user is not None and shown.user_id == user.id:
        return redirect(url_for(".own_profile"))
    page = {
        "card": shown if isinstance(shown, TalentCard) else card_of(shown),
        "profile": None if isinstance(shown, TalentCard) else shown,  # administrators
        "form": _contact_form(user),
    }
    if request.method == "POST":
        if page["form"] is None:
            return redirect(url_for("auth.login", next=request.path))
        try:
            with unit_of_work():
                contacts.send(db.session, user, profile_id, page["form"].body())
        except ValidationFailed as exc:
            show_errors(page["form"], exc)
            return render_template("talent/card.html", **page), 422
        flash(_("联系请求已发送，对方同意后双方可看到联系方式"), "success")
        return redirect(url_for(".card", profile_id=profile_id))
    return render_template("talent/card.html", **page)


# --- a person's own profile ----------------------------------------------------------------------


def _save_profile(user, profile, body: dict) -> None:
    if profile is None:
        profiles.create_profile(db.session, user, body)
    else:
        profiles.update_profile(db.session, user, profile.id, body)


@bp.route("/talent/profile", methods=["GET", "POST"])
@login_required
def own_profile():
    user = actor()
    profile = profiles.own_profile(db.session, user)
    form = TalentProfileForm()
    form.set_choices()
    if request.method == "POST":
        employer_id = accounts.organization_id_by_name(db.session, form.employer.data)
        body = form.body(employer_id)
        try:
            with unit_of_work():
                if (form.employer.data or "").strip() and employer_id is None:
                    _checked, problems = try_validate(TalentProfileIn, body)
                    problems["employer"] = [_("平台上没有这个单位，请填写单位全称或留空")]
                    raise ValidationFailed(_("提交的数据有误"), problems)
                _save_profile(user, profile, body)
        except ValidationFailed as exc:
            show_errors(form, exc, {"employer_id": "employer"})
            return _profile_page(form, profile), 422
        flash(_("人才档案已保存"), "success")
        return redirect(url_for(".own_profile"))
    if profile is not None:
        employer = profile.employer.name if profile.employer else ""
        form.fill(profiles.profile_input(profile), employer)
    return _profile_page(form, profile)


def _profile_page(form: TalentProfileForm, profile):
    card = card_of(profile) if profile is not None else None
    return render_template(
        "talent/profile.html",
        form=form,
        profile=profile,
        card=card,
        public=vouching.person_vouched(actor()),
    )


def _require_profile(user):
    profile = profiles.own_profile(db.session, user)
    if profile is None:
        flash(_("请先填写人才档案"), "warning")
    return profile


@bp.route("/talent/profile/works/new", methods=["GET", "POST"])
@login_required
def work_new():
    user = actor()
    profile = _require_profile(user)
    if profile is None:
        return redirect(url_for(".own_profile"))
    form = TalentWorkForm()
    form.set_choices()
    if request.method == "POST":
        works = profiles.profile_input(profile)["works"] + [form.body()]
        try:
            with unit_of_work():
                profiles.update_profile(db.session, user, profile.id, {"works": works})
        except ValidationFailed as exc:
            show_errors(form, _work_errors(exc, len(works) - 1))
            return render_template("talent/work_form.html", form=form), 422
        flash(_("作品已添加"), "success")
        return redirect(url_for(".own_profile"))
    return render_template("talent/work_form.html", form=form)


def _work_errors(exc: ValidationFailed, index: int) -> ValidationFailed:
    """The profile's messages about one work (``works.<i>.title``) on that work's form."""
    prefix = f"works.{index}."
    fields = {k[len(prefix) :]: v for k, v in exc.fields.items() if k.startswith(prefix)}
    return ValidationFailed(exc.message, fields or exc.fields)


@bp.post("/talent/profile/works/<int:position>/delete")
@login_required
def work_delete(position: int):
    user = actor()
    profile = _require_profile(user)
    if profile is None:
        return redirect(url_for(".own_profile"))
    works = profiles.profile_input(profile)["works"]
    if 0 <= position < len(works):
        del works[position]
        profiles.update_profile(db.session, user, profile.id, {"works": works})
        commit()
        flash(_("作品已删除"), "success")
    return redirect(url_for(".own_profile"))


# --- the person's data ---------------------------------------------------------------------------


@bp.get("/talent/profile/export")
@login_required
def export():
    data = privacy.export_data(db.session, actor())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-talent-data.json"},
    )


@bp.post("/talent/profile/delete")
@login_required
def delete_data():
    user = actor()
    if not confirmed():
        return ask(delete_talent_data(user), url_for(".own_profile"))
    closes_account = user.role == "designer"
    privacy.delete_data(db.session, user)
    commit()
    if closes_account:
        logout_user()
        flash(_("您的人才档案和账号已删除"), "success")
        return redirect(url_for("main.index"))
    flash(_("您的人才档案已删除"), "success")
    return redirect(url_for(".own_profile"))


# --- contact requests and recommended needs ------------------------------------------------------


@bp.get("/talent/contacts")
@login_required
def received():
    user = actor()
    rows = contacts.received(db.session, user)
    return render_template(
        "talent/contacts.html", rows=rows, details={c.id: contacts.details(c, user) for c in rows}
    )


@bp.post("/talent/contacts/<int:contact_id>/accept")
@login_required
def accept(contact_id: int):
    user = actor()
    if not confirmed():
        contact = contacts.answerable(db.session, user, contact_id)
        return ask(accept_contact(contact), url_for(".received"))
    contacts.accept(db.session, user, contact_id)
    return commit_and_redirect(_("已接受，双方现在可以看到彼此的联系方式"), url_for(".received"))


@bp.post("/talent/contacts/<int:contact_id>/decline")
@login_required
def decline(contact_id: int):
    contacts.decline(db.session, actor(), contact_id)
    return commit_and_redirect(_("已婉拒"), url_for(".received"))


@bp.get("/talent/openings")
@login_required
def openings():
    user = actor()
    require_role(user, Role.DESIGNER)  # experts see their assignments, not talent needs
    profile = profiles.own_profile(db.session, user)
    matches, unavailable = [], False
    if profile is not None:
        try:
            matches = matching.recommended_openings(db.session, get_search(), user, k=20)
        except SearchUnavailable:
            unavailable = True
    return render_template(
        "talent/openings.html", profile=profile, matches=matches, search_unavailable=unavailable
    )
