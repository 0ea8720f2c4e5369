"""Rows inserted unless their unique key is already taken, in one statement.

For records that the first of several simultaneous requests creates (the first showing of a
match, the first reading of a conversation): a check followed by an insert lets two requests
both find nothing and then collide on the unique constraint.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_or_ignore(session: Session, model, rows: list[dict], key: list[str]) -> None:
    """Insert ``rows`` into ``model``'s table, skipping those whose ``key`` columns exist."""
    insert = INSERTS[session.get_bind().dialect.name]
    session.execute(insert(model).values(rows).on_conflict_do_nothing(index_elements=key))
