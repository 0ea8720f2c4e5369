"""Real concurrency: the test's app served by a threaded WSGI server, hit by many threads at once.

Races are reproduced the way they happen in production: separate HTTP requests, each with its
own database connection and transaction, released together by a barrier. The tests assert
invariants (exactly one winner, no duplicate rows, no 500) rather than timings.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
import requests
from werkzeug.serving import make_server

from matchmaker.extensions import db
from matchmaker.models import User
from matchmaker.services import accounts

T = TypeVar("T")


class LiveServer:
    def __init__(self, url: str):
        self.url = url

    @staticmethod
    def token(user: User) -> str:
        """A bearer token, made in the test's thread (worker threads have no database session)."""
        token, _ = accounts.issue_token(db.session, user, 1)
        db.session.commit()
        return token

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        """One API request with ``token`` on a connection of its own."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        with requests.Session() as http:
            return http.request(
                method, f"{self.url}/api/v1{path}", headers=headers, timeout=60, **kwargs
            )


@pytest.fixture
def live(app) -> LiveServer:
    """The test's app (same database and configuration) behind a threaded server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(10)


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in a thread of its own, all released together; results in call order.

    An exception in a call is returned in its place, so one failure does not hide the others.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # reported by the caller's assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def statuses(responses) -> list:
    return [r.status_code if isinstance(r, requests.Response) else repr(r) for r in responses]
