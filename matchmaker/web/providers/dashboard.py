"""A provider's dashboard page (工作台)."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from search import SearchUnavailable

from ...extensions import db
from ...search_engine import get_search
from ...services import matching, provider_dashboard, vouching
from ...transaction import unit_of_work
from ..common import actor
from .routes import bp


@bp.get("/provider/dashboard")
@login_required
def dashboard():
    user = actor()
    board = provider_dashboard.for_provider(db.session, user)
    leads, unavailable = [], False
    try:
        with unit_of_work():
            leads = matching.leads_for(db.session, get_search(), user, k=5)
    except SearchUnavailable:
        unavailable = True
    return render_template(
        "providers/dashboard.html",
        board=board,
        leads=leads,
        search_unavailable=unavailable,
        public=vouching.organization_vouched(user.organization),
    )
