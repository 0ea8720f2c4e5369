"""Interest pages: a provider's own interests and invitations; the decisions on an interest."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import interests
from ...transaction import commit
from .. import questions
from ..confirm import ask, confirmed

bp = Blueprint("interests", __name__)


def _actor():
    return current_user._get_current_object()


@bp.get("/interests/mine")
@login_required
def mine():
    user = _actor()
    own = interests.for_provider(db.session, user)
    answered = {row.interest.demand_id for row in own}
    invitations = interests.invitations_for_provider(db.session, user)
    return render_template(
        "interests/mine.html", rows=own, invitations=invitations, answered=answered
    )


def _decide(interest_id: int, operation, message: str):
    interest = operation(db.session, _actor(), interest_id)
    demand_id = interest.demand_id
    commit()
    flash(message, "success")
    return redirect(url_for("demands.detail", demand_id=demand_id, _anchor="interests"))


@bp.post("/interests/<int:interest_id>/accept")
@login_required
def accept(interest_id: int):
    if not confirmed():
        interest = interests.for_decision(db.session, _actor(), interest_id)
        back = url_for("demands.detail", demand_id=interest.demand_id, _anchor="interests")
        return ask(questions.accept_interest(interest), back)
    return _decide(interest_id, interests.accept, _("已接受该意向，双方现在可以看到对方的联系方式"))


@bp.post("/interests/<int:interest_id>/decline")
@login_required
def decline(interest_id: int):
    return _decide(interest_id, interests.decline, _("已婉拒该意向"))


@bp.post("/interests/<int:interest_id>/withdraw")
@login_required
def withdraw(interest_id: int):
    interests.withdraw(db.session, _actor(), interest_id)
    commit()
    flash(_("意向已撤回"), "success")
    return redirect(url_for(".mine"))
