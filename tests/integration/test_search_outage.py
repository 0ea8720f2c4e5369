"""Stopping the search engine mid-run loses no write; the index converges once it is back.

The app talks to a real Elasticsearch through a TCP relay that the test cuts and restores,
so the client sees a genuine outage (refused connections), not a mock.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import IndexOutbox
from matchmaker.search_engine import get_search
from matchmaker.services import demands
from matchmaker.transaction import commit
from search import DEMANDS, SearchQuery
from tests.search_server import elasticsearch_url


class Relay:
    """Forwards 127.0.0.1:<port> to the engine until ``cut``; ``restore`` listens again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in its thread
        except OSError:
            pass
        self._listener.close()
        for conn in self._connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            except OSError:
                pass
        self._connections.clear()


@pytest.fixture
def relay():
    parsed = urlparse(elasticsearch_url())
    relay = Relay((parsed.hostname, parsed.port or 9200))
    yield relay
    relay.cut()


@pytest.fixture
def app_config(app_config, relay):
    app_config.update(
        ELASTICSEARCH_URL=f"http://127.0.0.1:{relay.port}",
        SEARCH_INDEX_PREFIX=f"test-outage-{secrets.token_hex(4)}-",
        SEARCH_BREAKER_SECONDS=0.2,
    )
    return app_config


def _indexed_ids(backend) -> set[int]:
    backend.refresh()
    page = backend.search(SearchQuery(index=DEMANDS, per_page=100, sort="newest"))
    return {hit.id for hit in page.hits}


@pytest.mark.elasticsearch
def test_writes_survive_an_outage_and_the_index_converges(app, make, relay, runner):
    backend = get_search()
    backend.ensure_indices()
    owner, admin = make.enterprise(), make.admin()
    before = make.demand(owner, admin=admin, title="轻量化车身结构设计")
    assert _indexed_ids(backend) == {before.id}

    relay.cut()
    during = make.demand(
        owner, admin=admin, title="车载中控外观设计"
    )  # write while the engine is down
    demands.withdraw(db.session, owner, before.id)
    commit()
    assert db.session.scalar(select(func.count(IndexOutbox.id))) > 0  # kept, not lost
    status = runner.invoke(args=["search", "sync"])
    assert status.exit_code != 0 and "pending" in status.output

    relay.restore()
    time.sleep(0.3)  # the breaker opened by the outage lets a trial call through again
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == 0
    backend.refresh()
    published = backend.search(
        SearchQuery(index=DEMANDS, filters={"status": ["published"]}, per_page=100)
    )
    assert {hit.id for hit in published.hits} == {during.id}
    closed = backend.search(
        SearchQuery(index=DEMANDS, filters={"status": ["closed"]}, per_page=100)
    )
    assert {hit.id for hit in closed.hits} == {before.id}
