"""Real concurrency: the test's app behind a threaded server (``live``), hit by many threads.

Races are reproduced the way they happen in production: separate HTTP requests, each with its
own database connection and transaction, released together by a barrier. The tests assert
invariants (exactly one winner, no duplicate rows, no 500) rather than timings.
"""

from __future__ import annotations

import requests


def statuses(responses) -> list:
    return [r.status_code if isinstance(r, requests.Response) else repr(r) for r in responses]
