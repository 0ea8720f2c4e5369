"""A conversation opened in several tabs at once: every page answers, one read mark is kept."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import ConversationRead
from tests.conftest import at_once

from .conftest import statuses
from .test_demand_lifecycle import signed_in

TABS = 6


def test_first_views_at_once_all_answer(live, make):
    owner = make.enterprise()
    interest_id = make.interest(make.provider(), make.demand(owner)).id
    tabs = [signed_in(live, owner) for _ in range(TABS)]

    responses = at_once([lambda t=t: t.get(f"/interests/{interest_id}") for t in tabs])

    assert statuses(responses) == [200] * TABS
    marks = db.session.scalars(
        select(ConversationRead).where(ConversationRead.interest_id == interest_id)
    ).all()
    assert [(m.user_id, m.last_read_id) for m in marks] == [(owner.id, 0)]
