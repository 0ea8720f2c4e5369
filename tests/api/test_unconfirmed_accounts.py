"""The API keeps the same gate as the pages: an account whose address is not confirmed yet
keeps drafts, and everything that reaches someone else is 403 with a reason it can act on
(docs/security.md, P56)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Demand, DemandStatus, Interest, Message

from .conftest import error_of

DEMAND = {
    "title": "骑行头盔外观设计",
    "description": "一款城市通勤头盔的外观与结构",
    "cluster": "nev-ice",
    "services": ["appearance-design"],
    "region": "yongchuan",
}


def unconfirm(user) -> None:
    user.email_confirmed_at = None
    db.session.commit()


def refused(response) -> None:
    error = error_of(response, 403, "forbidden")
    assert error["reason"] == "email_unconfirmed" and "确认" in error["message"]


@pytest.fixture
def cast(make):
    owner = make.enterprise()
    provider = make.provider()
    demand = make.demand(owner)
    interest = make.interest(provider, demand)
    return {"owner": owner, "provider": provider, "demand": demand, "interest": interest}


def test_an_unconfirmed_enterprise_keeps_drafts_only(api, make):
    owner = make.enterprise()
    unconfirm(owner)
    refused(api.post("/demands", user=owner, json=DEMAND))  # in review by default
    refused(api.post("/demands", user=owner, json={**DEMAND, "status": "in_review"}))
    created = api.post("/demands", user=owner, json={**DEMAND, "status": "draft"})
    assert created.status_code == 201 and created.get_json()["status"] == DemandStatus.DRAFT
    demand_id = created.get_json()["id"]
    edited = api.patch(f"/demands/{demand_id}", user=owner, json={"title": "改过的标题"})
    assert edited.status_code == 200 and edited.get_json()["status"] == DemandStatus.DRAFT
    assert db.session.scalar(select(func.count(Demand.id))) == 1


def test_an_unconfirmed_provider_cannot_express_interest(api, make, cast):
    other = make.provider()
    unconfirm(other)
    body = {"message": "方案", "price": 1000, "timeline_days": 30}
    refused(api.post(f"/demands/{cast['demand'].id}/interests", user=other, json=body))
    assert db.session.scalar(select(func.count(Interest.id))) == 1


def test_unconfirmed_sides_cannot_decide_or_write(api, cast):
    interest = cast["interest"]
    unconfirm(cast["owner"])
    refused(api.post(f"/interests/{interest.id}/accept", user=cast["owner"]))
    refused(api.post(f"/interests/{interest.id}/decline", user=cast["owner"]))
    for side in ("owner", "provider"):
        unconfirm(cast[side])
        response = api.post(
            f"/interests/{interest.id}/messages", user=cast[side], json={"body": "您好"}
        )
        refused(response)
    db.session.expire_all()
    assert db.session.get(Interest, interest.id).status == "pending"
    assert db.session.scalar(select(func.count(Message.id))) == 0


def test_visibility_comes_before_the_gate(api, make, cast):
    """A stranger waiting for confirmation learns nothing more than any stranger: 404."""
    stranger = make.enterprise()
    unconfirm(stranger)
    response = api.post(f"/interests/{cast['interest'].id}/accept", user=stranger)
    error_of(response, 404, "not_found")


def test_contact_stays_null_for_an_unconfirmed_reader(api, cast):
    interest = cast["interest"]
    assert api.post(f"/interests/{interest.id}/accept", user=cast["owner"]).status_code == 200
    unconfirm(cast["owner"])
    listed = api.get(f"/demands/{cast['demand'].id}/interests", user=cast["owner"]).get_json()
    assert listed["items"][0]["status"] == "accepted" and listed["items"][0]["contact"] is None
    own = api.get("/interests", user=cast["provider"]).get_json()
    assert own["items"][0]["contact"] is not None  # the confirmed side still sees them


def test_applications_entries_and_diagnosis_requests_wait_for_confirmation(api, make):
    """An accreditation application, a good-design entry and a diagnosis request reach
    administrators and experts: they wait for the address too, and nothing is stored."""
    from matchmaker.models import Accreditation, DiagnosisRequest, ShowcaseEntry

    provider, enterprise = make.provider(), make.enterprise()
    unconfirm(provider)
    unconfirm(enterprise)
    refused(api.post("/accreditations", user=provider, json={"kind": "apply", "round_id": 1}))
    refused(api.post("/showcase-entries", user=provider, json={"year_id": 1}))
    refused(api.post("/diagnosis-requests", user=enterprise, json={"cluster": "nev-ice"}))
    for model in (Accreditation, ShowcaseEntry, DiagnosisRequest):
        assert db.session.scalar(select(func.count(model.id))) == 0


def test_openapi_documents_the_reason(api):
    document = api.get("/openapi.json").get_json()
    text = " ".join(document["info"]["description"].split())
    assert '"reason": "email_unconfirmed"' in text
    body = document["components"]["schemas"]["ErrorBody"]["properties"]
    assert "reason" in body
