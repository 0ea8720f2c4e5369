"""Two people moving one demand at the same moment: one move wins, the other is 409.

Every move goes through the one transition table (services/demand_lifecycle.py); the loser's
transaction leaves no audit event and no notification behind.
"""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Notification
from tests.conftest import at_once
from tests.factories import PASSWORD

from .conftest import statuses

DEMANDS = 6


def signed_in(live, user):
    browser = live.browser()
    assert (
        browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return browser


def demand_events(demand_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_type == "demand", AuditEvent.subject_id == demand_id)
            .order_by(AuditEvent.id)
        )
    )


def notices(kind: str, demand_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.kind == kind, Notification.params["demand_id"].as_integer() == demand_id
        )
    )


def test_two_admins_approve_and_reject_at_once(live, make):
    owner = make.enterprise()
    first, second = make.admin(), make.admin()
    ids = [make.demand(owner, status="in_review").id for _ in range(DEMANDS)]
    approver, rejecter = signed_in(live, first), signed_in(live, second)

    for demand_id in ids:
        approve, reject = at_once(
            [
                lambda d=demand_id: approver.post(f"/admin/review/{d}/approve"),
                lambda d=demand_id: rejecter.post(
                    "/admin/review", data={"demand": d, f"d{d}-reason": "信息不完整"}
                ),
            ]
        )
        assert sorted(statuses([approve, reject])) == [302, 409]
        db.session.expire_all()
        status = db.session.get(Demand, demand_id).status
        assert status == ("published" if approve.status_code == 302 else "rejected")
        events = demand_events(demand_id)
        assert events[-1] == ("demand.published" if status == "published" else "demand.rejected")
        assert events.count("demand.published") + events.count("demand.rejected") == 1
        assert notices("demand_approved", demand_id) + notices("demand_rejected", demand_id) == 1


def test_won_and_withdrawn_at_once_close_the_demand_once(live, make):
    owner = make.enterprise()
    browser_a, browser_b = signed_in(live, owner), signed_in(live, owner)
    token = live.token(owner)
    cases = []
    for _ in range(DEMANDS):
        demand = make.demand(owner)
        accepted = make.interest(make.provider(), demand)
        make.interest(make.provider(), demand)  # still pending when the demand closes
        assert live.api("POST", f"/interests/{accepted.id}/accept", token).status_code == 200
        cases.append((demand.id, accepted.id))

    deal = {"confirmed": "1", "contract_value": "150000", "start_date": "2027-01-04"}
    for demand_id, interest_id in cases:
        won, withdrawn = at_once(
            [
                lambda i=interest_id: browser_a.post(f"/interests/{i}/deal", data=deal),
                lambda d=demand_id: browser_b.post(f"/demands/{d}/withdraw"),
            ]
        )
        assert sorted(statuses([won, withdrawn])) == [302, 409]
        db.session.expire_all()
        demand = db.session.get(Demand, demand_id)
        assert demand.status == "closed"
        assert demand.close_reason == ("won" if won.status_code == 302 else "withdrawn")
        closing = [e for e in demand_events(demand_id) if e.startswith("demand.closed_")]
        assert closing == [f"demand.closed_{demand.close_reason}"]
        assert notices("demand_closed", demand_id) == 1  # the pending interest's provider, once
