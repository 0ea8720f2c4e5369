"""Colleague invitations by e-mail (the invitee sets its password) and removal by the owner."""

from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import User
from tests.web.pages import errors_of, page


def link_in(body: str) -> str:
    return re.search(r"http://localhost(/invitations/\S+)", body).group(1)


def test_invitee_sets_its_own_password_and_joins(client, auth, make, mail_sink):
    owner = make.provider(name="山城设计")
    auth.login(owner.email)
    response = client.post("/account/team", data={"name": "李工", "email": "li@example.cn"})
    assert response.status_code == 302
    html = page(client.get("/account/team"))
    assert "li@example.cn" in html and "待接受的邀请" in html
    auth.logout()
    ((to, subject, body),) = mail_sink.mails()
    assert to == "li@example.cn" and "山城设计" in subject
    url = link_in(body)
    weak = client.post(
        url, data={"name": "李工", "password": "1234567890", "confirm": "1234567890"}
    )
    assert weak.status_code == 200 and "常见密码" in errors_of(page(weak), "password")[0]
    joined = client.post(
        url, data={"name": "李工", "password": "mountain-river-88", "confirm": "mountain-river-88"}
    )
    assert joined.status_code == 302
    colleague = db.session.scalar(select(User).where(User.email == "li@example.cn"))
    assert colleague.organization_id == owner.organization_id and colleague.role == "provider"
    # a link works once
    assert client.get(url).status_code == 404
    auth.logout()
    assert auth.login("li@example.cn", "mountain-river-88").status_code == 302


def test_inviting_a_registered_address_looks_the_same_to_the_inviter(client, auth, make, mail_sink):
    owner = make.enterprise()
    elsewhere = make.provider(email="taken@example.cn")
    auth.login(owner.email)
    response = client.post("/account/team", data={"name": "王工", "email": "taken@example.cn"})
    assert response.status_code == 302
    ((to, _subject, body),) = mail_sink.mails()
    assert to == "taken@example.cn" and "已有账号" in body and "/invitations/" not in body
    assert elsewhere.organization_id != owner.organization_id


def test_bad_invitation_input_and_forged_links(client, auth, make, mail_sink):
    owner = make.enterprise()
    auth.login(owner.email)
    html = page(client.post("/account/team", data={"name": "", "email": "not-an-address"}))
    assert errors_of(html, "name") == ["必填"] and errors_of(html, "email")
    assert mail_sink.mails() == []
    assert client.get("/invitations/forged-token").status_code == 404


def test_only_the_owner_removes_colleagues_and_they_are_switched_off(client, auth, make, mail_sink):
    owner = make.enterprise()
    auth.login(owner.email)
    client.post("/account/team", data={"name": "李工", "email": "li@example.cn"})
    auth.logout()
    client.post(
        link_in(mail_sink.mails()[0][2]),
        data={"name": "李工", "password": "mountain-river-88", "confirm": "mountain-river-88"},
    )
    auth.logout()
    colleague = db.session.scalar(select(User).where(User.email == "li@example.cn"))
    auth.login("li@example.cn", "mountain-river-88")
    assert client.post(f"/account/team/{owner.id}/remove").status_code == 403
    auth.logout()
    auth.login(owner.email)
    assert "负责人" in page(client.get("/account/team"))
    assert client.post(f"/account/team/{colleague.id}/remove").status_code == 302
    assert db.session.get(User, colleague.id).active is False
    assert client.post(f"/account/team/{make.enterprise().id}/remove").status_code == 404
    auth.logout()
    assert auth.login("li@example.cn", "mountain-river-88").status_code == 200  # refused
