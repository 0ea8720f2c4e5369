"""Deciding an interest when two people act on it at the same moment: one wins, the other is 409.

The loser changes nothing: no second notification, no audit event, no status flip.
"""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Interest, Notification
from tests.conftest import at_once
from tests.factories import PASSWORD

from .conftest import statuses

PROVIDERS = 8


def _setup(make, providers: int = PROVIDERS):
    owner = make.enterprise()
    demand = make.demand(owner)
    interests = [make.interest(make.provider(), demand) for _ in range(providers)]
    return owner, demand.id, [i.id for i in interests]


def _events(interest_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "interest", AuditEvent.subject_id == interest_id)
            .order_by(AuditEvent.id)
        )
    )


def _decision_notices(demand_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind.in_(("interest_accepted", "interest_declined")),
            Notification.params["demand_id"].as_integer() == demand_id,
        )
    )


def test_accept_and_decline_at_once_one_wins_and_the_other_changes_nothing(live, make):
    owner, demand_id, interest_ids = _setup(make)
    token = live.token(owner)

    for interest_id in interest_ids:
        accept, decline = at_once(
            [
                lambda i=interest_id: live.api("POST", f"/interests/{i}/accept", token),
                lambda i=interest_id: live.api("POST", f"/interests/{i}/decline", token),
            ]
        )
        assert sorted(statuses([accept, decline])) == [200, 409]
        winner = accept if accept.status_code == 200 else decline
        loser = decline if winner is accept else accept
        assert loser.json()["error"]["code"] == "conflict"
        db.session.expire_all()
        status = db.session.get(Interest, interest_id).status
        assert status == winner.json()["status"] == ("accepted" if winner is accept else "declined")
        assert _events(interest_id) == ["interest.created", f"interest.{status}"]

    db.session.expire_all()
    assert _decision_notices(demand_id) == PROVIDERS  # one per interest, never two
    accepted = db.session.scalar(
        select(func.count(Interest.id)).where(Interest.status == "accepted")
    )
    negotiating = select(func.count(AuditEvent.id)).where(AuditEvent.action == "demand.negotiating")
    assert db.session.scalar(negotiating) == (1 if accepted else 0)
    assert db.session.get(Demand, demand_id).status == (
        "in_negotiation" if accepted else "published"
    )


def test_different_interests_accepted_at_once_all_succeed(live, make):
    owner, demand_id, interest_ids = _setup(make, providers=6)
    token = live.token(owner)

    responses = at_once(
        [lambda i=i: live.api("POST", f"/interests/{i}/accept", token) for i in interest_ids]
    )

    assert statuses(responses) == [200] * len(interest_ids)
    db.session.expire_all()
    assert db.session.get(Demand, demand_id).status == "in_negotiation"
    negotiating = select(func.count(AuditEvent.id)).where(AuditEvent.action == "demand.negotiating")
    assert db.session.scalar(negotiating) == 1


def test_provider_withdraws_on_its_page_while_the_owner_accepts(live, make):
    owner = make.enterprise()
    demand = make.demand(owner)
    pairs = []
    for _ in range(6):
        provider = make.provider()
        browser = live.browser()
        signed_in = browser.post("/login", data={"email": provider.email, "password": PASSWORD})
        assert signed_in.status_code == 302
        pairs.append((make.interest(provider, demand).id, browser))
    token = live.token(owner)

    for interest_id, browser in pairs:
        accept, withdraw = at_once(
            [
                lambda i=interest_id: live.api("POST", f"/interests/{i}/accept", token),
                lambda i=interest_id, b=browser: b.post(f"/interests/{i}/withdraw"),
            ]
        )
        # The page answers a withdrawal with a redirect, a conflict with its 409 page.
        assert sorted(statuses([accept, withdraw])) in ([200, 409], [302, 409])
        db.session.expire_all()
        status = db.session.get(Interest, interest_id).status
        assert status == ("accepted" if accept.status_code == 200 else "withdrawn")
        assert len(_events(interest_id)) == 2
