"""Password guessing and sign-up floods are throttled: per address, per account, failures only.

One process with in-memory storage here; tests/integration/test_workers.py runs the same limits
across gunicorn workers sharing Redis.
"""

from __future__ import annotations

import re
import time

import pytest

from matchmaker import create_app
from tests.conftest import at_once
from tests.factories import PASSWORD
from tests.web.pages import page
from tests.web.test_auth import VALID

WRONG = "wrong-password-1"
SIMULTANEOUS = 12


@pytest.fixture
def app_config(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="3 per minute",
        LOGIN_IP_RATE_LIMIT="5 per minute",
        REGISTER_RATE_LIMIT="2 per hour",
    )
    return app_config


def attempt(client, email, password=WRONG, address="203.0.113.7", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_one_account_is_throttled_after_its_failures(client, make):
    user = make.enterprise()
    for _ in range(3):
        assert attempt(client, user.email).status_code == 200
    response = attempt(client, user.email, PASSWORD)  # even the right password waits now
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_throttled_login_keeps_the_form_with_a_message_and_the_wait(client, make):
    user = make.enterprise()
    for _ in range(4):
        response = attempt(client, user.email)
    html = page(response)
    assert response.status_code == 429
    assert 'name="email"' in html and 'name="password"' in html  # the form stays
    assert user.email in html  # with what was typed
    wait = int(response.headers["Retry-After"])
    assert re.search(rf"请在 {wait} 秒后再试", html)
    assert 'class="error-code"' not in html  # not the big error page


def test_many_accounts_from_one_address_are_throttled(client, make):
    for n in range(5):
        assert attempt(client, f"guess{n}@example.cn").status_code == 200
    assert attempt(client, "guess99@example.cn").status_code == 429
    # Another address is not affected.
    assert attempt(client, "guess99@example.cn", address="198.51.100.1").status_code == 200


def test_one_account_from_many_addresses_is_throttled(client, make):
    user = make.enterprise()
    for n in range(3):
        assert attempt(client, user.email, address=f"198.51.100.{n}").status_code == 200
    assert attempt(client, user.email, address="198.51.100.77").status_code == 429


def test_guesses_at_the_same_moment_never_pass_the_budget(live, make):
    """Threads of a real server, released together: each guess takes its place in the budget
    before its password is checked, so no more than the budget are checked."""
    user = make.enterprise()
    guesses = [live.browser() for _ in range(SIMULTANEOUS)]
    data = {"email": user.email, "password": WRONG}
    results = at_once([lambda b=b: b.post("/login", data=data).status_code for b in guesses])
    assert sorted(results) == [200] * 3 + [429] * (SIMULTANEOUS - 3)


def test_successful_sign_ins_do_not_count(client, make):
    user = make.enterprise()
    for _ in range(6):
        assert attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/logout")
    assert attempt(client, user.email).status_code == 200


def test_the_api_and_the_page_share_the_account_budget(client, make):
    user = make.enterprise()
    wrong = {"email": user.email, "password": WRONG}
    for _ in range(2):
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    assert attempt(client, user.email).status_code == 200
    response = client.post("/api/v1/auth/token", json=wrong)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_forwarded_for_is_ignored_without_trusted_proxies(client, make):
    """A client cannot pick a fresh address per guess by sending X-Forwarded-For."""
    for n in range(5):
        assert attempt(client, f"x{n}@example.cn", forwarded=f"192.0.2.{n}").status_code == 200
    assert attempt(client, "x9@example.cn", forwarded="192.0.2.99").status_code == 429


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "TRUSTED_PROXIES": 1}

    def test_each_client_behind_the_proxy_has_its_own_budget(self, client, make):
        proxy = "10.0.0.2"
        for n in range(5):
            assert (
                attempt(
                    client, f"a{n}@example.cn", address=proxy, forwarded="192.0.2.1"
                ).status_code
                == 200
            )
        assert (
            attempt(client, "a9@example.cn", address=proxy, forwarded="192.0.2.1").status_code
            == 429
        )
        assert (
            attempt(client, "a9@example.cn", address=proxy, forwarded="192.0.2.2").status_code
            == 200
        )


def test_several_workers_need_shared_counters():
    from matchmaker.throttle import require_shared_storage

    with pytest.raises(SystemExit, match="4 workers with RATELIMIT_STORAGE_URI=memory://"):
        require_shared_storage(4, "memory://")
    require_shared_storage(1, "memory://")
    require_shared_storage(4, "redis://cache:6379")
    require_shared_storage(4, "memory://", enabled=False)


def test_a_store_that_cannot_give_an_attempt_back_is_refused_at_start(app_config):
    config = {**app_config, "RATELIMIT_STORAGE_URI": "memcached://cache:11211"}
    with pytest.raises(SystemExit, match="RATELIMIT_STORAGE_URI=memcached://cache:11211"):
        create_app(config)


def test_registration_is_throttled_per_address(client):
    for n in range(2):
        data = {**VALID, "email": f"new{n}@example.cn", "phone": "138123"}  # invalid: not stored
        assert client.post("/register", data=data).status_code == 200
    response = client.post("/register", data=VALID)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = page(response)
    assert 'name="organization_name"' in html
    minutes = -(-int(response.headers["Retry-After"]) // 60)  # an hour's window: said in minutes
    assert f"请在 {minutes} 分钟后再试" in html


# --- moving windows: no burst around a window's end doubles a budget -------------------------

PERIOD = 3.0  # seconds; the budgets below allow 3 attempts per period
BURST = {
    "LOGIN_RATE_LIMIT": "3 per 3 seconds",
    "LOGIN_IP_RATE_LIMIT": "1000 per minute",
    "MAIL_LINK_RATE_LIMIT": "3 per 3 seconds",
}


def burst_across_a_period_end(send) -> list[tuple[float, int]]:
    """One attempt, two just before the period it opened ends, three just after.

    A fixed window starts afresh at its end and would let all six through, five of them
    within about a second; a moving window frees only what left it (the first attempt).
    Returns (seconds since the start, status) per attempt, timed when it was sent: the
    limiter counts an attempt as it arrives, and under load the answer may come much later.
    """
    start = time.monotonic()
    results = []

    def one() -> None:
        sent = time.monotonic() - start
        results.append((sent, send()))

    one()
    _sleep_until(start + PERIOD - 1.0)
    one()
    one()
    _sleep_until(start + PERIOD + 0.3)
    for _ in range(3):
        one()
    return results


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def most_in_any_period(results: list[tuple[float, int]], allowed: int) -> int:
    """The most allowed attempts that any span of PERIOD seconds holds."""
    times = [at for at, status in results if status == allowed]
    return max(sum(1 for t in times if begin <= t < begin + PERIOD) for begin in times)


def assert_budget_held(results: list[tuple[float, int]], allowed: int) -> None:
    statuses = [status for _, status in results]
    # the first attempt left the period, so one more is allowed; the other two wait
    assert statuses == [allowed] * 4 + [429] * 2, results
    assert most_in_any_period(results, allowed) == 3, results


class TestMovingWindows:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, **BURST}

    def test_sign_in_failures_across_a_period_end_stay_within_the_budget(self, client, make):
        user = make.enterprise()
        results = burst_across_a_period_end(lambda: attempt(client, user.email).status_code)
        assert_budget_held(results, 200)
        # The wait is until the next entry leaves the period, not a whole new window.
        waited = attempt(client, user.email)
        assert waited.status_code == 429 and 0 < int(waited.headers["Retry-After"]) <= PERIOD

    def test_reset_requests_across_a_period_end_stay_within_the_budget(self, client, make):
        user = make.enterprise()
        results = burst_across_a_period_end(
            lambda: client.post("/password/forgot", data={"email": user.email}).status_code
        )
        assert_budget_held(results, 200)


class TestMovingWindowsInRedis:
    """The same budgets in Redis, the store several workers share."""

    @pytest.fixture
    def app_config(self, app_config, redis_url):
        return {**app_config, **BURST, "RATELIMIT_STORAGE_URI": redis_url}

    def test_sign_in_failures_across_a_period_end_stay_within_the_budget(self, client, make):
        user = make.enterprise()
        results = burst_across_a_period_end(lambda: attempt(client, user.email).status_code)
        assert_budget_held(results, 200)

    def test_successful_sign_ins_are_given_back(self, client, make):
        user = make.enterprise()
        for _ in range(6):
            assert attempt(client, user.email, PASSWORD).status_code == 302
            client.post("/logout")
        assert [attempt(client, user.email).status_code for _ in range(4)] == [200] * 3 + [429]
