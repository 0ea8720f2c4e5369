"""Throttling password guesses and sign-ups, per client address and per account.

Sign-in (page and API token alike) has two budgets: failures per account (``LOGIN_RATE_LIMIT``:
many addresses guessing one password) and failures per client address
(``LOGIN_IP_RATE_LIMIT``: one address trying many accounts). Only failures count: a user who
signs in often is not an attacker. Registration submissions count per address
(``REGISTER_RATE_LIMIT``). Once a budget is spent every attempt waits, even with the right
password, and is answered 429 with ``Retry-After``.

The counters live in Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``, moving windows).
Every worker must see the same counters: with several workers ``memory://`` would give each
its own budget, so ``require_shared_storage`` refuses to start that way. The client address
is the connection's, or with ``TRUSTED_PROXIES`` set, what that many proxies forwarded
(Werkzeug's ProxyFix, installed in ``create_app``).

A check and the count of a failure are two steps: guesses verified at the same moment by
different workers can pass the check together, so at most (workers − 1) more than the budget.
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from limits import parse
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter

MEMORY = "memory://"


class TooManyAttempts(TooManyRequests):
    """A spent budget; ``retry_after`` is the whole seconds until one attempt is free again."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


def _address() -> str:
    return request.remote_addr or "unknown"


def _account(email: str | None) -> str:
    return (email or "").strip().lower()[:254] or "-"


def _budgets(email: str | None) -> list[tuple[str, str, str]]:
    """(limit, namespace, key) of the sign-in budgets an attempt draws on."""
    config = current_app.config
    return [
        (config["LOGIN_IP_RATE_LIMIT"], "sign-in-address", _address()),
        (config["LOGIN_RATE_LIMIT"], "sign-in-account", _account(email)),
    ]


def _wait(limit: str, *keys: str) -> int:
    reset_at = limiter.limiter.get_window_stats(parse(limit), *keys).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def check_sign_in(email: str | None) -> None:
    """Raise TooManyAttempts if the address or the account has no attempt left."""
    if not limiter.enabled:
        return
    waits = [
        _wait(limit, namespace, key)
        for limit, namespace, key in _budgets(email)
        if not limiter.limiter.test(parse(limit), namespace, key)
    ]
    if waits:
        raise TooManyAttempts(max(waits))


def failed_sign_in(email: str | None) -> None:
    """Count a wrong password (or unknown e-mail) against the address and the account."""
    if not limiter.enabled:
        return
    for limit, namespace, key in _budgets(email):
        limiter.limiter.hit(parse(limit), namespace, key)


def registration_attempt() -> None:
    """Count a sign-up submission from this address; TooManyAttempts once it has none left."""
    if not limiter.enabled:
        return
    limit = current_app.config["REGISTER_RATE_LIMIT"]
    if not limiter.limiter.hit(parse(limit), "registration-address", _address()):
        raise TooManyAttempts(_wait(limit, "registration-address", _address()))


def require_shared_storage(workers: int, storage_uri: str, enabled: bool = True) -> None:
    """Refuse to serve with several workers that would each count attempts on their own."""
    if enabled and workers > 1 and storage_uri.startswith(MEMORY):
        raise SystemExit(
            f"matchmaker: {workers} workers with RATELIMIT_STORAGE_URI={storage_uri} would each "
            "keep their own sign-in counters, multiplying the allowed password guesses. Set "
            "RATELIMIT_STORAGE_URI to a shared store (redis://host:6379) or run one worker."
        )
