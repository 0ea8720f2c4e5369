"""A common-need project's conversation page: participants only, enterprises named to
providers only once one is chosen, contact details masked, files with the attachments' limits,
unread counts on the list and the project, a report on the administrators' page."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Message
from matchmaker.services.common_needs import answers
from matchmaker.transaction import commit
from tests.web.pages import errors_of, login, page, stored_files

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(make):
    admin = make.admin()
    owners = [make.enterprise(name=f"头盔厂{n}") for n in range(2)]
    helmets = [make.demand(o, cluster="motorcycle", services=["appearance-design"]) for o in owners]
    designer = make.provider(name="造型设计公司", clusters=["motorcycle"])
    need = make.common_need(admin, helmets, joined=owners[:1], invited=[designer])
    return {"admin": admin, "owners": owners, "designer": designer, "need": need}


def url(cast, tail: str = "") -> str:
    return f"/common-needs/{cast['need'].id}{tail}"


def test_only_participants_open_the_page(client, auth, make, cast):
    for outsider in (cast["owners"][1], make.provider(), make.enterprise()):
        login(auth, outsider)
        assert client.get(url(cast, "/conversation")).status_code == 404
        assert client.post(url(cast, "/messages"), data={"body": "hi"}).status_code == 404
        auth.logout()
    assert db.session.scalar(select(func.count(Message.id))) == 0
    login(auth, cast["owners"][1])  # asked, not opted in: the project, without its conversation
    assert "进入项目沟通" not in page(client.get(url(cast)))


def test_a_conversation_through_the_pages(app, client, auth, cast):
    login(auth, cast["owners"][0])
    assert "进入项目沟通" in page(client.get(url(cast)))
    sent = client.post(
        url(cast, "/messages"),
        data={
            "body": "想做轻量化外观，电话 13812345678",
            "attachments": [(io.BytesIO(PDF), "草图.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    bad = client.post(
        url(cast, "/messages"),
        data={"body": "x", "attachments": [(io.BytesIO(b"MZ\x90"), "tool.exe")]},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and errors_of(page(bad), "attachments")
    empty = client.post(url(cast, "/messages"), data={"body": ""})
    assert empty.status_code == 422 and errors_of(page(empty), "body") == ["必填"]
    assert len(stored_files(app)) == 1 and db.session.scalar(select(func.count(Message.id))) == 1
    auth.logout()

    login(auth, cast["designer"])
    badge = f'<a class="tag tag-warn" href="{url(cast, "/conversation")}">1 条未读</a>'
    assert badge in page(client.get("/common-needs"))
    assert '<span class="tag tag-warn">1 条未读</span>' in page(client.get(url(cast)))
    html = page(client.get(url(cast, "/conversation")))
    assert "参与企业 1" in html and "头盔厂" not in html
    assert "13812345678" not in html and "[***]" in html
    assert badge not in page(client.get("/common-needs"))
    message = db.session.scalars(select(Message)).one()
    file_url = url(cast, f"/files/{message.attachments[0].id}")
    with client.get(file_url) as download:
        assert download.data == PDF
    client.post(url(cast, "/messages"), data={"body": "可以做", "price": "200000"})
    reported = client.post(url(cast, "/conversation/report"), data={"reason": "疑似广告"})
    assert reported.status_code == 302
    auth.logout()

    login(auth, cast["owners"][1])  # not opted in: no file either
    assert client.get(file_url).status_code == 404
    auth.logout()

    login(auth, cast["admin"])
    html = page(client.get(url(cast, "/conversation")))
    assert "头盔厂0" in html and "造型设计公司" in html and "20 万元" in html
    reports = page(client.get("/admin/reports"))
    assert "疑似广告" in reports and url(cast, "/conversation") in reports
    need, designer = cast["need"], cast["designer"]
    answers.answer(db.session, designer, need.id, {"interested": True})
    answers.choose(db.session, cast["admin"], need.id, designer.organization.provider.id)
    commit()
    auth.logout()

    login(auth, designer)  # chosen: the enterprises are named now
    assert "头盔厂0" in page(client.get(url(cast, "/conversation")))
