"""Rows inserted unless their unique key is already taken, in one statement.

For records that the first of several simultaneous requests creates (the first showing of a
match, the first reading of a conversation): a check followed by an insert lets two requests
both find nothing and then collide on the unique constraint.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_or_ignore(session: Session, model, rows: list[dict], key: list[str]) -> None:
    """Insert ``rows`` into ``model``'s table, skipping those whose ``key`` columns exist."""
    statement = _statement(session.get_bind().dialect.name, model.__table__, tuple(key))
    session.execute(statement, rows)


@cache
def _statement(dialect: str, table, key: tuple[str, ...]):
    """One statement per table, its rows given as parameters, so SQLAlchemy compiles it once
    (rows written into it with ``.values(rows)`` made a new statement to compile each time)."""
    return INSERTS[dialect](table).on_conflict_do_nothing(index_elements=list(key))
