"""Signed-in browsers end when they should: logout, password change, everywhere, deactivation.

Each browser is a real HTTP client with its own cookie jar against the live server; copying
a cookie from one jar to another is what an attacker with a stolen cookie does.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from sqlalchemy import select, update

from matchmaker.extensions import db
from matchmaker.models import LoginSession, utcnow
from tests.conftest import at_once
from tests.factories import PASSWORD

NEW_PASSWORD = "brand-new-pass-1"
# sign-ins racing one password change: rounds, and sign-ins per round
ROUNDS, RACERS = 15, 3


def sign_in(browser, email: str, remember: bool = False):
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = browser.post("/login", data=data)
    assert response.status_code == 302, response.text
    return response


def signed_in(browser) -> bool:
    return browser.get("/account/password").status_code == 200


def restart(browser) -> None:
    """Closing the browser drops the session cookie; a remember-me cookie survives."""
    for cookie in list(browser.cookies):
        if cookie.name == "session":
            browser.cookies.clear(cookie.domain, cookie.path, cookie.name)


def change_password(browser) -> None:
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = browser.post("/account/password", data=data)
    assert response.status_code == 302, response.text


def test_a_copied_session_cookie_stops_working_after_logout(live, make):
    user = make.enterprise()
    owner, thief = live.browser(), live.browser()
    sign_in(owner, user.email)
    thief.cookies.set("session", owner.cookies.get("session"))
    assert signed_in(thief)  # the copy is as good as the original …
    owner.post("/logout")
    assert not signed_in(thief)  # … until its owner signs out


def test_password_change_ends_other_browsers_and_remember_me(live, make):
    user = make.enterprise()
    mine, other = live.browser(), live.browser()
    sign_in(other, user.email, remember=True)
    sign_in(mine, user.email)
    change_password(mine)
    assert signed_in(mine)  # the browser that changed it stays signed in
    assert not signed_in(other)
    restart(other)
    assert not signed_in(other)  # the remember-me cookie is dead too


def test_a_remembered_browser_stays_signed_in_after_a_restart(live, make):
    user = make.enterprise()
    browser = live.browser()
    sign_in(browser, user.email, remember=True)
    restart(browser)
    assert signed_in(browser)


def test_remember_me_lasts_what_the_form_says(live, make):
    user = make.enterprise()
    browser = live.browser()
    label = re.search(r'<label for="remember"[^>]*>(.*?)</label>', browser.get("/login").text)
    days = int(re.search(r"(\d+)", label.group(1)).group(1))
    assert days == 30
    sign_in(browser, user.email, remember=True)
    cookie = next(c for c in browser.cookies if c.name == "remember_token")
    assert abs(cookie.expires - time.time() - days * 86400) < 300
    # The server forgets the sign-in at the same time, whatever the browser keeps.
    db.session.execute(update(LoginSession).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    restart(browser)
    assert not signed_in(browser)


def test_sign_out_everywhere(live, make):
    user = make.provider()
    mine, other = live.browser(), live.browser()
    sign_in(other, user.email, remember=True)
    sign_in(mine, user.email)
    response = mine.post("/account/security/sign-out-everywhere")
    assert response.status_code == 302
    assert not signed_in(mine) and not signed_in(other)
    restart(other)
    assert not signed_in(other)
    db.session.expire_all()
    assert db.session.scalars(select(LoginSession)).all() == []


def test_deactivation_ends_every_session(live, make, runner):
    user = make.enterprise()
    mine, other = live.browser(), live.browser()
    sign_in(other, user.email, remember=True)
    sign_in(mine, user.email)
    result = runner.invoke(args=["users", "deactivate", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert not signed_in(mine) and not signed_in(other)
    restart(other)
    assert not signed_in(other)
    assert mine.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200


def test_a_deactivated_account_is_signed_out_on_its_next_request(live, make):
    """The account's state is checked on every request, not only at sign-in."""
    user = make.enterprise()
    browser = live.browser()
    sign_in(browser, user.email)
    user.active = False
    db.session.commit()
    assert not signed_in(browser)


def test_the_security_page_lists_and_ends_sessions_and_tokens(live, make):
    user, stranger = make.enterprise(), make.enterprise()
    mine, other, strangers = live.browser(), live.browser(), live.browser()
    sign_in(other, user.email, remember=True)
    sign_in(mine, user.email)
    sign_in(strangers, stranger.email)
    token = live.token(user)
    html = mine.get("/account/security").text
    assert html.count("当前设备") == 1 and html.count("退出此设备") == 1
    ids = [int(i) for i in re.findall(r"/account/security/sessions/(\d+)/end", html)]
    token_id = int(re.search(r"/account/security/tokens/(\d+)/revoke", html).group(1))
    theirs = db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == stranger.id))

    assert mine.post(f"/account/security/sessions/{theirs}/end").status_code == 404
    assert signed_in(strangers)
    assert mine.post(f"/account/security/sessions/{ids[0]}/end").status_code == 302
    assert not signed_in(other) and signed_in(mine)
    assert live.api("GET", "/auth/tokens", token).status_code == 200
    assert mine.post(f"/account/security/tokens/{token_id}/revoke").status_code == 302
    assert live.api("GET", "/auth/tokens", token).status_code == 401


def test_a_sign_in_racing_a_password_change_does_not_outlive_it(live, make):
    """A sign-in that checked the old password a moment before the change committed must
    not leave a working session behind (it would outlive the change that meant to end it)."""
    survivors = 0
    for _ in range(ROUNDS):
        user = make.enterprise()
        changer = live.browser()
        sign_in(changer, user.email)
        racers = [live.browser() for _ in range(RACERS)]
        data = {"email": user.email, "password": PASSWORD}
        results = at_once(
            [lambda c=changer: change_password(c)]
            + [lambda b=b, d=data: b.post("/login", data=d) for b in racers]
        )
        assert results[0] is None, results[0]
        assert signed_in(changer)
        for browser, response in zip(racers, results[1:], strict=True):
            if response.status_code == 302 and signed_in(browser):
                survivors += 1
    assert survivors == 0
