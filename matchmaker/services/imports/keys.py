"""Primary keys for a chunk's new rows, taken from PostgreSQL's sequences before the flush.

The ORM writes new rows of one table in batched INSERTs, and needs their generated keys
back: it sends each batch as one long ``INSERT … VALUES (…), (…) … RETURNING id`` whose
thousands of placeholders psycopg rewrites in Python (such statements are too long for its
cache), ≈ 15 % of a PostgreSQL import's CPU. With the keys known beforehand nothing has to
come back, and the rows go as one short statement executed many times, in one pipeline.
SQLite has no sequences and does not need this: there the ORM's batches stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session


def reserve(session: Session, objects: Iterable) -> None:
    """Give every new object of a table with a generated integer key its key now (one query
    per table); does nothing on other databases than PostgreSQL."""
    if session.get_bind().dialect.name != "postgresql":
        return
    waiting: dict[tuple[str, str], list] = {}
    for obj in objects:
        mapper = inspect(obj).mapper
        column = mapper.local_table.autoincrement_column  # an integer key the database makes
        if column is None or len(mapper.primary_key) != 1:
            continue
        if mapper.primary_key_from_instance(obj)[0] is None:
            waiting.setdefault((column.table.name, column.name), []).append((obj, column.key))
    connection = session.connection()
    for (table, column), pending in waiting.items():
        sequence = func.pg_get_serial_sequence(table, column)
        numbers = connection.scalars(
            select(func.nextval(sequence)).select_from(func.generate_series(1, len(pending)))
        ).all()
        for (obj, key), number in zip(pending, numbers, strict=True):
            setattr(obj, key, number)
