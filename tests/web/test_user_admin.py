"""Administrators manage users: search, deactivate and reactivate, end sign-ins, force a
password reset, read a user's audit trail; nobody else may."""

from __future__ import annotations

import re

from matchmaker.extensions import db
from matchmaker.models import ApiToken, User
from matchmaker.services import api_tokens
from tests.factories import PASSWORD
from tests.web.pages import CONFIRMED, page


def test_search_finds_users_by_address_name_or_organisation(client, admin, make):
    make.enterprise(name="重庆永川骑士装备有限公司", email="buyer@example.cn")
    make.provider(name="渝州智造设计有限公司", email="designer@example.cn")
    html = page(client.get("/admin/users?q=骑士"))
    assert "buyer@example.cn" in html and "designer@example.cn" not in html
    assert "designer@example.cn" in page(client.get("/admin/users?q=designer"))
    assert "共 3 个用户" in page(client.get("/admin/users"))  # with the administrator


def test_deactivate_ends_every_sign_in_and_reactivate_allows_signing_in(client, auth, admin, make):
    user = make.enterprise()
    api_tokens.issue(db.session, user, 1)
    db.session.commit()
    asked = client.post(f"/admin/users/{user.id}/deactivate")
    assert "停用账号" in page(asked) and db.session.get(User, user.id).active  # asks first
    assert client.post(f"/admin/users/{user.id}/deactivate", data=CONFIRMED).status_code == 302
    assert db.session.get(User, user.id).active is False
    assert db.session.query(ApiToken).count() == 0
    assert client.post(f"/admin/users/{admin.id}/deactivate", data=CONFIRMED).status_code == 302
    assert db.session.get(User, admin.id).active  # not itself
    client.post(f"/admin/users/{user.id}/reactivate")
    auth.logout()
    assert auth.login(user.email).status_code == 302


def test_revoke_and_force_reset(client, auth, admin, make, mail_sink):
    user = make.provider(email="designer@example.cn")
    api_tokens.issue(db.session, user, 1)
    db.session.commit()
    client.post(f"/admin/users/{user.id}/revoke")
    assert db.session.query(ApiToken).count() == 0
    client.post(f"/admin/users/{user.id}/reset-password", data=CONFIRMED)
    (body,) = mail_sink.bodies("designer@example.cn")
    link = re.search(r"http://\S+(/password/reset/\S+)", body).group(1)
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 200  # the old password is void
    client.post(link, data={"password": "mountain-river-88", "confirm": "mountain-river-88"})
    assert auth.login(user.email, "mountain-river-88").status_code == 302


def test_the_trail_shows_what_the_user_did_and_what_was_done_to_it(client, admin, make):
    user = make.enterprise()
    make.demand(user, title="骑行头盔外观设计")
    client.post(f"/admin/users/{user.id}/revoke")
    html = page(client.get(f"/admin/users/{user.id}"))
    for action in ("organization.registered", "demand.created", "user.sign_ins_revoked"):
        assert action in html


def test_only_administrators_manage_users(client, auth, make):
    user = make.enterprise()
    other = make.enterprise()
    auth.login(user.email)
    assert client.get("/admin/users").status_code == 403
    assert client.post(f"/admin/users/{other.id}/deactivate", data=CONFIRMED).status_code == 403
    assert db.session.get(User, other.id).active
