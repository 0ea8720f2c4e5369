"""The end of every unit of work (request, command, job): commit, then what waits for it.

``commit`` commits the session and then hands each item that services registered with
``services.unit_of_work.after_commit`` to the handler of its kind; ``rollback`` drops them;
``unit_of_work()`` is the block that does one or the other. A failing handler never undoes
the commit: the work it stands for is retried from durable state (the index outbox) or
reported in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from .extensions import db
from .services import unit_of_work as registered

log = logging.getLogger(__name__)

Handler = Callable[..., None]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that carries out after-commit work of ``kind``."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def run_after_commit(items: list[registered.AfterCommit]) -> None:
    for item in items:
        try:
            HANDLERS[item.kind](*item.args)
        except Exception:  # noqa: BLE001 — the commit stands whatever happens here
            log.exception("after-commit work %s%r failed", item.kind, item.args)


def commit(session: Session | None = None) -> None:
    session = session or db.session
    session.commit()
    run_after_commit(registered.take(session))


def rollback(session: Session | None = None) -> None:
    session = session or db.session
    session.rollback()
    registered.discard(session)


@contextmanager
def unit_of_work(session: Session | None = None) -> Iterator[Session]:
    """Commit when the block ends normally; roll back (and re-raise) when it raises."""
    session = session or db.session
    try:
        yield session
    except BaseException:
        rollback(session)
        raise
    commit(session)
