"""A common-need project's conversation over the API: participants only (404 otherwise, an
enterprise that has not opted in included), masking and 参与企业 N for providers until one is
chosen, unread counts, validation naming the field."""

from __future__ import annotations

from matchmaker.extensions import db
from matchmaker.services.common_needs import answers
from matchmaker.transaction import commit

from .conftest import error_of


def test_project_messages(api, make):
    admin = make.admin()
    joined, asked = make.enterprise(name="头盔厂甲"), make.enterprise(name="头盔厂乙")
    helmets = [
        make.demand(o, cluster="motorcycle", services=["appearance-design"])
        for o in (joined, asked)
    ]
    designer = make.provider(name="造型设计公司", clusters=["motorcycle"])
    need = make.common_need(admin, helmets, joined=[joined], invited=[designer])
    path = f"/common-needs/{need.id}/messages"

    for outsider in (asked, make.provider(), None):
        status = 401 if outsider is None else 404
        assert api.get(path, outsider).status_code == status
        assert api.post(path, outsider, json={"body": "你好"}).status_code == status
    bad = error_of(api.post(path, joined, json={"body": ""}), 422, "validation_error")
    assert "body" in bad["fields"]
    sent = api.post(path, joined, json={"body": "请加微信 helmet_jia 联系"})
    assert sent.status_code == 201
    mine = sent.get_json()
    assert mine["masked"] and "helmet_jia" not in mine["body"]
    assert mine["author"] == {"side": "enterprise", "name": "头盔厂甲"}

    listed = api.get(path, designer).get_json()
    assert listed["unread"] == 1 and listed["need_id"] == need.id
    assert [m["author"] for m in listed["items"]] == [{"side": "enterprise", "name": "参与企业 1"}]
    assert "头盔厂" not in str(listed)
    assert api.get(path, designer).get_json()["unread"] == 0  # reading marked them read
    offer = api.post(path, designer, json={"body": "可承接", "price": 300000, "timeline_days": 40})
    assert offer.get_json()["price"] == 300000
    admin_note = api.post(path, admin, json={"body": "请在平台内沟通"}).get_json()
    assert admin_note["author"]["side"] == "admin"

    answers.answer(db.session, designer, need.id, {"interested": True})
    answers.choose(db.session, admin, need.id, designer.organization.provider.id)
    commit()
    named = api.get(path, designer).get_json()["items"][0]["author"]
    assert named == {"side": "enterprise", "name": "头盔厂甲"}
    answers.record_outcome(db.session, admin, need.id, {"won": False})
    commit()
    error_of(api.post(path, joined, json={"body": "还在吗"}), 409, "conflict")
