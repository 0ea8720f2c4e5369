"""The search engine's answers, kept per process and keyed by everything that can change them.

A match costs the engine 10-20 ms of CPU and a search several, while the same demand's
providers and the same searches are asked for again and again and the indices change far
less often. An answer is kept under the stamp of the index it came from — a random token
that every change delivered to that index replaces, in the delivery's own commit
(``stamp_changed``) — and the whole question (the query, a demand's record, the damped
providers, how many). Any change to any of them is another key, in every worker: the stamp
is read from the database at each call. The process's code (the matcher and its model)
cannot change while the process runs.

Elasticsearch makes a write searchable within its refresh interval (1 s), so an answer
computed less than ``SETTLE`` after the stamp changed is not kept; none is kept longer than
``TTL``, for changes made to an index outside the app (restoring a snapshot). Only the
engine's answer is kept: callers still load the rows and check who may see them, as without
the cache. Hits are shared between the requests that get them: nobody changes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from ..models import IndexStamp, utcnow
from .insert_or_ignore import insert_or_ignore

T = TypeVar("T")

SETTLE = dt.timedelta(seconds=2)
TTL = 300.0  # seconds
SIZE = 4096  # answers per process and backend


class Answers:
    """A bounded least-recently-used map whose entries expire after ``TTL``, safe for a
    worker's threads (also the home page's store: ``web/main/home_page.py``)."""

    def __init__(self, size: int):
        self.size, self.lock, self.items = size, threading.Lock(), OrderedDict()

    def get(self, key: str) -> Any:
        with self.lock:
            found = self.items.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.items.move_to_end(key)
            return found[1]

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.items[key] = (time.monotonic() + TTL, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


# One store per backend object: a new backend (another index, another test) starts empty.
_stores: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _store(backend) -> Answers:
    store = _stores.get(backend)
    if store is None:
        store = _stores.setdefault(backend, Answers(SIZE))
    return store


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=repr)
    raise TypeError(f"cannot key on {type(value).__name__}")


@cache
def _stamp_statement() -> Select:
    """Built once per process: every search and match asks."""
    return select(IndexStamp.stamp, IndexStamp.changed_at).where(
        IndexStamp.kind == bindparam("kind")
    )


def answer(session: Session, backend, index: str, question: Any, ask: Callable[[], T]) -> T:
    """``ask()``'s answer to ``question`` (plain data: dicts, lists, sets, dataclasses) on
    ``index``, from the cache when the index has not changed since it was kept."""
    row = session.execute(_stamp_statement(), {"kind": index}).first()
    if row is None:
        return ask()  # never stamped: nothing to key on
    key = json.dumps([index, row.stamp, question], sort_keys=True, default=_plain)
    store = _store(backend)
    kept = store.get(key)
    if kept is not None:
        return kept
    result = ask()
    if utcnow() - row.changed_at >= SETTLE:
        store.put(key, result)
    return result


def stamp_changed(session: Session, indices: Iterable[str]) -> None:
    """A new stamp for each of these indices, in the caller's transaction: the answers kept
    for them are not used again once it commits."""
    now = utcnow()
    rows = [{"kind": kind, "stamp": secrets.token_hex(16), "changed_at": now} for kind in indices]
    for row in rows:
        session.execute(
            update(IndexStamp)
            .where(IndexStamp.kind == row["kind"])
            .values(stamp=row["stamp"], changed_at=now)
        )
    if rows:
        insert_or_ignore(session, IndexStamp, rows, ["kind"])
