"""Throttling password guesses and sign-ups, per client address and per account.

Sign-in (page and API token alike) has two budgets: failures per account (``LOGIN_RATE_LIMIT``:
many addresses guessing one password) and failures per client address
(``LOGIN_IP_RATE_LIMIT``: one address trying many accounts). Only failures count: a user who
signs in often is not an attacker. Registration submissions count per address
(``REGISTER_RATE_LIMIT``). Once a budget is spent every attempt waits, even with the right
password, and is answered 429 with ``Retry-After``.

An attempt takes its place in both budgets before the password is checked, in one atomic
step per budget, and gives it back if the password was right. Guesses arriving at the same
moment on different workers and threads therefore never pass the budget (a check followed
by a count after the slow password hash let every guess in flight through); the price is
that sign-ins still being checked count for a moment, so more simultaneous sign-ins than
the budget, even right ones, would see 429.

The budgets are moving windows in Flask-Limiter's storage (``RATELIMIT_STORAGE_URI``): each
attempt is a timestamped entry, and one is allowed only while fewer than the budget's entries
are younger than its period. A fixed window would forget every attempt when it ends, so a
burst just before and just after its end would get twice the budget; here no period of that
length, wherever it starts, holds more failures than the budget. An attempt is given back by
removing the newest entry (the storage has no call for it: ``_give_back`` knows the two
stores that keep entries, memory and Redis). Every worker must see the same entries: with
several workers ``memory://`` would give each its own budget, so ``require_shared_storage``
refuses to start that way; a shared store must be Redis (Memcached keeps no entries). The
client address is the connection's, or with ``TRUSTED_PROXIES`` set, what that many proxies
forwarded (Werkzeug's ProxyFix, installed in ``create_app``).
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter

MEMORY = "memory://"
# Stores whose entries can be given back (``_give_back``): in-process and Redis.
GIVE_BACK_SCHEMES = ("memory", "redis", "rediss", "redis+sentinel", "redis+cluster")


class TooManyAttempts(TooManyRequests):
    """A spent budget; ``retry_after`` is the whole seconds until one attempt is free again."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


Budget = tuple[RateLimitItem, str, str]  # limit, namespace, key


def _address() -> str:
    return request.remote_addr or "unknown"


def _account(email: str | None) -> str:
    return (email or "").strip().lower()[:254] or "-"


def _sign_in_budgets(email: str | None) -> list[Budget]:
    config = current_app.config
    return [
        (parse(config["LOGIN_IP_RATE_LIMIT"]), "sign-in-address", _address()),
        (parse(config["LOGIN_RATE_LIMIT"]), "sign-in-account", _account(email)),
    ]


def _windows() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(limiter.storage)


def _wait(budget: Budget) -> int:
    """Seconds until the oldest entry of the period leaves it and frees one attempt."""
    item, namespace, key = budget
    reset_at = _windows().get_window_stats(item, namespace, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def _give_back(budget: Budget) -> None:
    """Remove the budget's newest entry. When several attempts are in flight that may be
    another's rather than this one's, which frees the budget at most a moment early."""
    item, namespace, key = budget
    storage, entries = limiter.storage, item.key_for(namespace, key)
    if isinstance(storage, MemoryStorage):  # newest first, guarded by the key's lock
        with storage.locks[entries]:
            if storage.events.get(entries):
                del storage.events[entries][0]
    else:  # Redis: a list, newest at its head
        storage.get_connection().lpop(storage.prefixed_key(entries))


def _take(budgets: list[Budget]) -> None:
    """One attempt from every budget, or TooManyAttempts with none taken from any."""
    taken = [(budget, _windows().hit(*budget)) for budget in budgets]
    spent = [budget for budget, ok in taken if not ok]  # a refused hit added no entry
    if spent:
        for budget, ok in taken:
            if ok:
                _give_back(budget)
        raise TooManyAttempts(max(_wait(budget) for budget in spent))


def begin_sign_in(email: str | None) -> None:
    """Count this attempt against the address and the account before its password is
    checked; TooManyAttempts (counting nothing) if either has none left."""
    if limiter.enabled:
        _take(_sign_in_budgets(email))


def signed_in(email: str | None) -> None:
    """The password was right: the attempt is given back (only failures count)."""
    if limiter.enabled:
        for budget in _sign_in_budgets(email):
            _give_back(budget)


def registration_attempt() -> None:
    """Count a sign-up submission from this address; TooManyAttempts once it has none left."""
    if limiter.enabled:
        _take(
            [(parse(current_app.config["REGISTER_RATE_LIMIT"]), "registration-address", _address())]
        )


def require_storage_that_gives_back(storage_uri: str) -> None:
    """Refuse a rate-limit store that cannot give an attempt back (see the module's notes)."""
    scheme = storage_uri.split("://", 1)[0]
    if scheme not in GIVE_BACK_SCHEMES:
        raise SystemExit(
            f"matchmaker: RATELIMIT_STORAGE_URI={storage_uri}: sign-in throttling needs "
            "memory:// (one worker) or Redis (redis://host:6379)."
        )


def require_shared_storage(workers: int, storage_uri: str, enabled: bool = True) -> None:
    """Refuse to serve with several workers that would each count attempts on their own."""
    if enabled and workers > 1 and storage_uri.startswith(MEMORY):
        raise SystemExit(
            f"matchmaker: {workers} workers with RATELIMIT_STORAGE_URI={storage_uri} would each "
            "keep their own sign-in counters, multiplying the allowed password guesses. Set "
            "RATELIMIT_STORAGE_URI to a shared store (redis://host:6379) or run one worker."
        )
