"""Throttling requests that mail a link (a password reset, a confirmation sent again): per
client address and per e-mail address.

Each request counts against ``MAIL_LINK_RATE_LIMIT`` twice — for the client address it came
from and for the e-mail address it names — in Flask-Limiter's storage, so a stranger can
neither flood someone's mailbox nor probe many addresses quickly. The answer when a budget
is spent is the same whether or not the address is registered.
"""

from __future__ import annotations

import math
import time

from flask import current_app, request
from limits import parse

from .extensions import limiter


def wait_seconds(email: str) -> int | None:
    """Count one request; the whole seconds to wait when a budget is spent, else None."""
    if not limiter.enabled:
        return None
    limit = parse(current_app.config["MAIL_LINK_RATE_LIMIT"])
    keys = [
        ("mail-link-address", request.remote_addr or "unknown"),
        ("mail-link-account", (email or "").strip().lower()[:254] or "-"),
    ]
    spent = [key for key in keys if not limiter.limiter.hit(limit, *key)]
    if not spent:
        return None
    reset_at = max(limiter.limiter.get_window_stats(limit, *key).reset_time for key in spent)
    return max(1, math.ceil(reset_at - time.time()))
