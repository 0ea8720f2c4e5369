"""Password reset: the same answer for every address, a link that expires and works once,
the policy on the new password, every other sign-in ended, requests throttled."""

from __future__ import annotations

import re

import pytest

from matchmaker.extensions import db
from matchmaker.models import ApiToken
from matchmaker.services import api_tokens
from tests.factories import PASSWORD
from tests.web.pages import REGISTRATION, errors_of, page

NEW = "mountain-river-88"


def _answer(client, email: str) -> str:
    response = client.post("/password/forgot", data={"email": email})
    assert response.status_code == 200
    return re.sub(r'name="csrf_token"[^>]*>', "", page(response))


def _link(mail_sink, email: str) -> str:
    (body,) = mail_sink.bodies(email)
    return re.search(r"http://\S+(/password/reset/\S+)", body).group(1)


def test_same_answer_whether_or_not_the_address_exists(client, make, mail_sink):
    user = make.enterprise(email="zhang@example.cn")
    assert _answer(client, "nobody@example.cn") == _answer(client, user.email)
    assert mail_sink.bodies("nobody@example.cn") == []
    assert "/password/reset/" in mail_sink.bodies(user.email)[0]


def test_a_forged_host_header_cannot_redirect_the_reset_link(app, client, make, mail_sink):
    """Asking for another person's reset with Host: evil.test must not mail that person a
    link to evil.test (where clicking it would hand the token over)."""
    app.config.update(SERVER_NAME="mm.example.cn", PREFERRED_URL_SCHEME="https")
    user = make.enterprise(email="zhang@example.cn")
    client.post("/password/forgot", data={"email": user.email}, headers={"Host": "evil.test"})
    (body,) = mail_sink.bodies(user.email)
    assert "https://mm.example.cn/password/reset/" in body and "evil.test" not in body


def test_a_link_sets_a_new_password_once_and_ends_other_sign_ins(client, auth, make, mail_sink):
    user = make.enterprise(email="zhang@example.cn")
    token, _expires = api_tokens.issue(db.session, user, 1)
    db.session.commit()
    _answer(client, user.email)
    link = _link(mail_sink, user.email)
    weak = client.post(link, data={"password": "1234567890", "confirm": "1234567890"})
    assert "常见密码" in errors_of(page(weak), "password")[0]
    done = client.post(link, data={"password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert db.session.query(ApiToken).count() == 0  # the API token is revoked
    assert client.get(link).status_code == 404  # single use
    assert client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 404
    assert auth.login(user.email, PASSWORD).status_code == 200  # the old password is gone
    assert auth.login(user.email, NEW).status_code == 302


def test_a_link_expires(client, make, mail_sink, monkeypatch):
    user = make.enterprise()
    _answer(client, user.email)
    link = _link(mail_sink, user.email)
    import itsdangerous.timed

    later = itsdangerous.timed.time.time() + 61 * 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert client.get(link).status_code == 404
    assert "重新申请" in page(client.get(link))


def test_forged_links_are_refused(client):
    assert client.get("/password/reset/not-a-token").status_code == 404


class TestThrottling:
    @pytest.fixture
    def app_config(self, app_config):
        app_config.update(RATELIMIT_ENABLED=True, MAIL_LINK_RATE_LIMIT="2 per hour")
        return app_config

    def test_requests_are_throttled_alike_for_every_address(self, client, make, mail_sink):
        user = make.enterprise()
        for _ in range(2):
            _answer(client, user.email)
        known = client.post("/password/forgot", data={"email": user.email})
        unknown = client.post("/password/forgot", data={"email": "nobody@example.cn"})
        assert known.status_code == unknown.status_code == 429
        assert "请求过于频繁" in page(known) and "请求过于频繁" in page(unknown)
        assert len(mail_sink.bodies(user.email)) == 2


def test_a_confirmation_mail_that_never_came_is_sent_again_alike(client, mail_sink):
    client.post("/register", data=REGISTRATION)  # waits for its confirmation
    first = mail_sink.bodies(REGISTRATION["email"])
    answers = [
        re.sub(
            r'name="csrf_token"[^>]*>', "", page(client.post("/register/resend", data={"email": e}))
        )
        for e in (REGISTRATION["email"], "nobody@example.cn")
    ]
    assert answers[0] == answers[1]
    again = mail_sink.bodies(REGISTRATION["email"])
    assert len(again) == len(first) + 1 and "/register/confirm/" in again[-1]
    assert mail_sink.bodies("nobody@example.cn") == []
    link = re.search(r"http://\S+(/register/confirm/\S+)", again[-1]).group(1)
    assert client.get(link).status_code == 302  # signs in, confirmed
