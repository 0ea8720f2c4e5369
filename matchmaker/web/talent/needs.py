"""Talent need pages: an organisation's needs, posting and changing one, its recommended
people and contacts; browsing open needs for everyone signed in."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from search import OPENINGS, SearchUnavailable

from ...extensions import db
from ...search_engine import get_search
from ...services.access import owns
from ...services.errors import ValidationFailed
from ...services.talent import contacts, matching, needs
from ...transaction import unit_of_work
from ..common import actor, commit_and_redirect, show_errors
from ..confirm import ask, confirmed
from ..questions import close_talent_need, hire_contact
from ..search_pages import faceted_query, searched
from .forms import TalentNeedForm
from .routes import bp

FACETS = ("speciality", "cluster", "region")
SORTS = ("relevance", "newest")


@bp.get("/talent-needs")
@login_required
def browse_needs():
    query, state = faceted_query(OPENINGS, FACETS, 20, SORTS)
    results, unavailable = searched(matching.search_needs, actor(), query)
    return render_template(
        "talent/needs_browse.html", results=results, search_unavailable=unavailable, state=state
    )


@bp.get("/talent-needs/mine")
@login_required
def my_needs():
    return render_template("talent/needs_mine.html", rows=needs.own_needs(db.session, actor()))


def _form_page(need=None):
    user = actor()
    form = TalentNeedForm()
    form.set_choices()
    if request.method == "POST":
        try:
            with unit_of_work():
                if need is None:
                    need = needs.create_need(db.session, user, form.body())
                else:
                    needs.update_need(db.session, user, need.id, form.body())
        except ValidationFailed as exc:
            show_errors(form, exc)
            return render_template("talent/need_form.html", form=form, need=need), 422
        flash(_("岗位已保存"), "success")
        return redirect(url_for(".need", need_id=need.id))
    if need is not None:
        form.fill(needs.need_input(need))
    else:
        form.headcount.data = "1"
        if user.organization is not None:
            form.region.data = user.organization.region
    return render_template("talent/need_form.html", form=form, need=need)


@bp.route("/talent-needs/new", methods=["GET", "POST"])
@login_required
def new_need():
    return _form_page()


@bp.route("/talent-needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(need_id: int):
    return _form_page(needs.managed_need(db.session, actor(), need_id))


@bp.get("/talent-needs/<int:need_id>")
@login_required
def need(need_id: int):
    user = actor()
    shown = needs.read_need(db.session, user, need_id)
    context: dict = {"need": shown, "manages": owns(user, shown.organization_id)}
    if context["manages"]:
        sent = contacts.for_need(db.session, user, need_id)
        context.update(contacts=sent, details={c.id: contacts.details(c, user) for c in sent})
        if shown.status == "open":
            try:
                context["matches"] = matching.recommended_people(
                    db.session, get_search(), user, need_id, k=10
                )
            except SearchUnavailable:
                context["search_unavailable"] = True
    return render_template("talent/need.html", **context)


@bp.post("/talent-needs/<int:need_id>/close")
@login_required
def close_need(need_id: int):
    user = actor()
    if not confirmed():
        shown = needs.managed_need(db.session, user, need_id)
        return ask(close_talent_need(shown), url_for(".need", need_id=need_id))
    needs.withdraw(db.session, user, need_id)
    return commit_and_redirect(_("岗位已关闭"), url_for(".need", need_id=need_id))


@bp.post("/talent-contacts/<int:contact_id>/hire")
@login_required
def hire(contact_id: int):
    user = actor()
    contact = contacts.hireable(db.session, user, contact_id)
    need_id = contact.need_id
    if not confirmed():
        return ask(hire_contact(contact), url_for(".need", need_id=need_id))
    contacts.hire(db.session, user, contact_id)
    return commit_and_redirect(_("已登记录用"), url_for(".need", need_id=need_id))
