"""Work that has to wait for the commit, registered by services during a transaction.

A service that changes the search index or sends mail must not do it before its transaction
commits: a rollback would leave a document indexed or a message sent about something that
never happened. It registers the work here instead (``after_commit``). The caller ends the
unit of work with ``matchmaker.transaction``: commit, then hand every registered item to
the handler of its kind (a background job), or roll back and drop them. Services stay free
of Flask and of the job queue: they only name the work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

KEY = "matchmaker.after_commit"


@dataclass(frozen=True)
class AfterCommit:
    """A kind of work ("index", "mail", …) and its arguments (plain, hashable values)."""

    kind: str
    args: tuple = ()


def after_commit(session: Session, kind: str, *args) -> None:
    """Register work for after this transaction's commit; the same item twice runs once."""
    session.info.setdefault(KEY, {})[AfterCommit(kind, args)] = None


def pending(session: Session) -> list[AfterCommit]:
    return list(session.info.get(KEY, {}))


def take(session: Session) -> list[AfterCommit]:
    """The registered work, removed from the session (called once the commit succeeded)."""
    return list(session.info.pop(KEY, {}))


def discard(session: Session) -> None:
    session.info.pop(KEY, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    """Whoever rolls the transaction back, the work it registered never happened."""
    if not previous_transaction.nested:
        discard(session)
