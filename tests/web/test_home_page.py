"""The visitors' home page, rendered once per set of figures and language: never stale."""

from __future__ import annotations

import pytest

from matchmaker import create_app
from matchmaker.extensions import db
from tests.conftest import csrf_token_from
from tests.web.pages import figures_of


def page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_figures_follow_every_write(client, make):
    make.provider()
    first = figures_of(page(client.get("/")))
    assert figures_of(page(client.get("/"))) == first  # the kept page, same figures
    make.provider()
    make.enterprise()
    after = figures_of(page(client.get("/")))
    assert int(after["设计服务方"]) == int(first["设计服务方"]) + 1
    assert int(after["制造企业"]) == int(first["制造企业"]) + 1


@pytest.fixture
def csrf_app(app_config):
    """An app of its own with CSRF on (the shared test app switches it off), outside the
    test's application context, which would keep one request's token in ``g``."""
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield csrf_app
    with csrf_app.app_context():
        db.engine.dispose()


def test_each_visitor_gets_a_form_token_of_their_own(csrf_app):
    one, other = csrf_app.test_client(), csrf_app.test_client()
    token_one = csrf_token_from(page(one.get("/")))
    token_other = csrf_token_from(page(other.get("/")))  # from the kept page
    assert token_one != token_other
    wrong = {"locale": "en", "next": "/", "csrf_token": token_one}
    assert other.post("/language", data=wrong).status_code == 400
    right = {"locale": "en", "next": "/", "csrf_token": token_other}
    assert other.post("/language", data=right).status_code == 302
    html = page(other.get("/"))
    assert '<html lang="en">' in html and 'value="zh"' in html
    assert '<html lang="zh-CN">' in page(one.get("/"))


def test_signed_in_users_and_waiting_messages_are_not_served_the_kept_page(client, auth, make):
    user = make.enterprise()
    page(client.get("/"))  # a visitor's page is kept
    auth.login(user.email)
    html = page(client.get("/"))
    assert 'action="/logout"' in html and 'href="/demands/new"' in html
    auth.logout()
    assert "您已退出登录" in page(client.get("/"))
    html = page(client.get("/"))
    assert "您已退出登录" not in html and 'action="/logout"' not in html
    assert 'href="/register"' in html
