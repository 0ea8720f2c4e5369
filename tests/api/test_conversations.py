"""API additions: messages on an interest, reviews after a deal, and the caller's interests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from matchmaker.extensions import db
from matchmaker.models import Interest, Provider, utcnow
from matchmaker.services import conversations, deals, indexing, interests
from search import PROVIDERS
from search.documents import build_document
from search.text import get_analyzer

from .conftest import error_of

TAXONOMY = Path(__file__).parents[2] / "matchmaker" / "data" / "taxonomy.json"


@pytest.fixture
def deal(make):
    """A published demand, a provider's pending interest in it, and a stranger of each kind."""
    owner = make.enterprise(name="重庆永川骑士装备有限公司")
    demand = make.demand(owner)
    provider = make.provider(name="渝州智造设计有限公司")
    interest = make.interest(provider, demand)
    return {
        "owner": owner,
        "colleague_demand": demand,
        "provider": provider,
        "interest": interest,
        "other_enterprise": make.enterprise(),
        "other_provider": make.provider(),
        "admin": make.admin(),
    }


def send(api, user, interest, **body):
    return api.post(f"/interests/{interest.id}/messages", user, json={"body": "您好", **body})


def accept(make, deal) -> None:
    interests.accept(db.session, deal["owner"], deal["interest"].id)
    make._commit()


def test_both_sides_exchange_messages_and_nobody_else_reads_them(api, deal):
    interest = deal["interest"]
    sent = send(api, deal["provider"], interest, body="我们可以先做三个方向的草图")
    assert sent.status_code == 201, sent.get_json()
    message = sent.get_json()
    assert set(message) == {
        "id",
        "author",
        "body",
        "price",
        "timeline_days",
        "created_at",
        "masked",
        "attachments",
    }
    assert message["author"] == {"side": "provider", "name": "渝州智造设计有限公司"}
    assert message["masked"] is False
    reply = send(api, deal["owner"], interest, body="好的，请先报价")
    assert reply.status_code == 201
    # before acceptance the provider does not learn the enterprise's name from an author
    assert reply.get_json()["author"] == {"side": "enterprise", "name": "需求方"}

    for side in ("owner", "provider"):
        listed = api.get(f"/interests/{interest.id}/messages", deal[side])
        assert listed.status_code == 200
        assert [m["body"] for m in listed.get_json()["items"]] == [
            "我们可以先做三个方向的草图",
            "好的，请先报价",
        ]
    for stranger in ("other_enterprise", "other_provider", "admin"):
        error_of(api.get(f"/interests/{interest.id}/messages", deal[stranger]), 404, "not_found")
        error_of(send(api, deal[stranger], interest), 404, "not_found")
    error_of(api.get(f"/interests/{interest.id}/messages"), 401, "unauthorized")


def test_contact_details_are_masked_until_acceptance_then_pass(api, make, deal):
    interest = deal["interest"]
    before = send(api, deal["provider"], interest, body="加我微信 zhang_wei88 或打 138 1234 5678")
    assert before.status_code == 201
    assert before.get_json()["masked"] is True
    assert before.get_json()["body"] == "加我[***] 或打 [***]"
    stored = api.get(f"/interests/{interest.id}/messages", deal["owner"]).get_json()["items"]
    assert "zhang_wei88" not in str(stored) and "1234 5678" not in str(stored)
    owner_mail = send(api, deal["owner"], interest, body="邮箱 buyer@example.cn，QQ：12345678")
    assert owner_mail.get_json()["body"] == "邮箱 [***]，[***]"

    accept(make, deal)
    after = send(api, deal["provider"], interest, body="我的电话 13812345678")
    assert after.get_json() | {"id": 0, "created_at": 0} == {
        "id": 0,
        "created_at": 0,
        "author": {"side": "provider", "name": "渝州智造设计有限公司"},
        "body": "我的电话 13812345678",
        "price": None,
        "timeline_days": None,
        "masked": False,
        "attachments": [],
    }
    named = send(api, deal["owner"], interest, body="收到")
    assert named.get_json()["author"]["name"] == "重庆永川骑士装备有限公司"


def test_a_counter_offer_is_a_message_with_price_and_timeline(api, deal):
    offer = send(
        api, deal["owner"], deal["interest"], body="预算有限", price=150000, timeline_days=45
    )
    assert offer.status_code == 201
    assert (offer.get_json()["price"], offer.get_json()["timeline_days"]) == (150000, 45)
    bad = send(api, deal["owner"], deal["interest"], price=-1, timeline_days=0)
    assert set(error_of(bad, 422, "validation_error")["fields"]) == {"price", "timeline_days"}
    error_of(
        api.post(f"/interests/{deal['interest'].id}/messages", deal["owner"], json={}),
        422,
        "validation_error",
    )


def test_an_administrator_reads_a_conversation_only_while_it_is_reported(api, deal):
    interest = deal["interest"]
    send(api, deal["provider"], interest, body="内容")
    admin = deal["admin"]
    error_of(api.get(f"/interests/{interest.id}/messages", admin), 404, "not_found")
    report = conversations.report(db.session, deal["owner"], interest.id, {"reason": "骚扰"})
    db.session.commit()
    assert api.get(f"/interests/{interest.id}/messages", admin).status_code == 200
    # reading, never writing
    error_of(send(api, admin, interest), 403, "forbidden")
    conversations.close_report(db.session, admin, report.id)
    db.session.commit()
    error_of(api.get(f"/interests/{interest.id}/messages", admin), 404, "not_found")


def test_a_finished_interest_is_read_only(api, deal):
    interests.decline(db.session, deal["owner"], deal["interest"].id)
    db.session.commit()
    error_of(send(api, deal["provider"], deal["interest"]), 409, "conflict")
    assert (
        api.get(f"/interests/{deal['interest'].id}/messages", deal["provider"]).status_code == 200
    )


def test_interests_list_per_role_with_status_and_pages(api, make, deal):
    second = make.demand(deal["owner"], title="第二个需求")
    make.interest(deal["other_provider"], second)
    mine = api.get("/interests", deal["provider"]).get_json()
    assert [i["id"] for i in mine["items"]] == [deal["interest"].id]
    assert (mine["total"], mine["page"], mine["per_page"]) == (1, 1, 20)
    owners = api.get("/interests?per_page=1", deal["owner"]).get_json()
    assert owners["total"] == 2 and len(owners["items"]) == 1
    assert api.get("/interests", deal["other_enterprise"]).get_json()["total"] == 0
    assert api.get("/interests", deal["admin"]).get_json()["total"] == 2
    assert api.get("/interests?status=accepted", deal["admin"]).get_json()["total"] == 0
    error_of(api.get("/interests?status=maybe", deal["admin"]), 422, "validation_error")


def close_deal(make, deal, when: dt.datetime | None = None) -> Interest:
    accept(make, deal)
    interest = deals.close(
        db.session,
        deal["owner"],
        deal["interest"].id,
        {"contract_value": 180000, "start_date": "2027-01-15"},
    )
    if when is not None:
        interest.won_at = when
    make._commit()
    return interest


REVIEW = {"quality": 5, "communication": 4, "timeliness": 3, "text": "方案扎实，沟通顺畅"}


def test_reviews_once_each_after_the_deal_public_when_both_wrote(api, make, deal):
    interest = deal["interest"]
    provider_id = interest.provider_id
    error_of(
        api.post(f"/interests/{interest.id}/review", deal["owner"], json=REVIEW), 409, "conflict"
    )
    close_deal(make, deal)
    written = api.post(f"/interests/{interest.id}/review", deal["owner"], json=REVIEW)
    assert written.status_code == 201, written.get_json()
    assert written.get_json()["side"] == "enterprise"
    error_of(
        api.post(f"/interests/{interest.id}/review", deal["owner"], json=REVIEW), 409, "conflict"
    )
    error_of(
        api.post(f"/interests/{interest.id}/review", deal["other_provider"], json=REVIEW),
        404,
        "not_found",
    )
    # one side has written: nothing public yet
    assert api.get(f"/providers/{provider_id}/reviews").get_json() == {
        "items": [],
        "average": {"quality": 0.0, "communication": 0.0, "timeliness": 0.0},
        "count": 0,
    }
    back = api.post(
        f"/interests/{interest.id}/review",
        deal["provider"],
        json={"quality": 4, "communication": 4, "timeliness": 4},
    )
    assert back.status_code == 201
    public = api.get(f"/providers/{provider_id}/reviews").get_json()
    assert public["count"] == 1
    assert public["average"] == {"quality": 5.0, "communication": 4.0, "timeliness": 3.0}
    assert public["items"][0]["text"] == "方案扎实，沟通顺畅"
    profile = api.get(f"/providers/{provider_id}", deal["other_enterprise"]).get_json()
    assert (profile["rating"], profile["review_count"]) == (4.0, 1)
    # the matcher receives it with the provider's record and search document (not ranked on)
    provider = db.session.get(Provider, provider_id)
    record = indexing.provider_records(db.session, [provider])[0]
    assert (record["rating"], record["review_count"]) == (4.0, 1)
    taxonomy = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    document = build_document(PROVIDERS, record, get_analyzer(taxonomy), taxonomy)
    assert (document["rating"], document["review_count"]) == (4.0, 1)


def test_one_review_is_public_fourteen_days_after_the_deal(api, make, deal):
    close_deal(make, deal, when=utcnow() - dt.timedelta(days=15))
    api.post(f"/interests/{deal['interest'].id}/review", deal["owner"], json=REVIEW)
    assert api.get(f"/providers/{deal['interest'].provider_id}/reviews").get_json()["count"] == 1


def test_review_scores_are_validated(api, make, deal):
    close_deal(make, deal)
    bad = api.post(
        f"/interests/{deal['interest'].id}/review",
        deal["owner"],
        json={"quality": 0, "communication": 6, "text": "x" * 2001},
    )
    fields = error_of(bad, 422, "validation_error")["fields"]
    assert set(fields) == {"quality", "communication", "timeliness", "text"}


def test_openapi_describes_the_additions(api):
    document = api.get("/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/interests/{interest_id}/messages"])
    assert "post" in paths["/api/v1/interests/{interest_id}/review"]
    assert "get" in paths["/api/v1/providers/{provider_id}/reviews"]
    assert "get" in paths["/api/v1/interests"]
    schemas = document["components"]["schemas"]
    assert {
        "MessageIn",
        "MessageOut",
        "ReviewIn",
        "ReviewOut",
        "ReviewList",
        "InterestPage",
    } <= set(schemas)
