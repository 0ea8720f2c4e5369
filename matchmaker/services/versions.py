"""Optimistic concurrency for demands and providers: a write from an old copy is a 409.

Both carry a ``version`` that every UPDATE moves and checks (SQLAlchemy's version counter).
A caller that says which version it edited (a form's hidden field, a PATCH body's ``version``
or ``If-Match``) is refused at once when that is no longer the current one; two writes from
the same version at the same moment are refused at the UPDATE itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy import bindparam, inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE
from sqlalchemy.orm.exc import StaleDataError

from .errors import StaleRecord


def check(record, expected: int | None, what: str) -> None:
    """``what`` names the record in the message (e.g. 该需求)."""
    if expected is not None and expected != record.version:
        raise StaleRecord(
            _(
                "%(what)s已被他人修改（当前版本 %(current)s，您修改的是版本 %(sent)s），"
                "请重新读取最新内容后再修改",
                what=what,
                current=record.version,
                sent=expected,
            )
        )


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Turn a stale UPDATE inside the block (someone saved first) into a StaleRecord."""
    try:
        yield
    except StaleDataError:
        raise StaleRecord(
            _("%(what)s刚刚被他人修改，请重新读取最新内容后再修改", what=what)
        ) from None


def changed_columns(record) -> dict[str, object]:
    """The column attributes set on a loaded record since it was read, with their new values
    (only those with a kept committed value are asked: asking every column costs more)."""
    state = inspect(record)
    columns = state.mapper.column_attrs
    return {
        key: state.dict[key]
        for key in list(state.committed_state)
        if key in columns and state.get_history(key, PASSIVE_NO_INITIALIZE).has_changes()
    }


def write_in_batches(session: Session, records: Iterable) -> int:
    """Write the changed columns of many loaded versioned records with one executemany UPDATE
    per table and set of changed columns, each row's WHERE carrying the version it read.

    The ORM sends a versioned UPDATE one row at a time so that it can check each row count: on
    PostgreSQL a bulk import spent most of its time waiting on those round trips. Here the
    summed row count is checked instead, and falls short exactly when some row was changed
    by someone else since it was read: StaleDataError, as the ORM's own flush raises. The
    records are left as if flushed (relationships, e.g. replaced cases, still flush as
    usual). Returns how many rows were written."""
    groups: dict[tuple, list[tuple[object, dict[str, object]]]] = {}
    for record in records:
        mapper = inspect(record).mapper
        changes = changed_columns(record)
        version = mapper.version_id_col
        if not changes or version is None or mapper.get_property_by_column(version).key in changes:
            continue
        groups.setdefault((mapper, tuple(sorted(changes))), []).append((record, changes))
    connection = session.connection()
    for (mapper, keys), rows in groups.items():
        table, version = mapper.local_table, mapper.version_id_col
        (key_column,) = mapper.primary_key
        version_key = mapper.get_property_by_column(version).key
        columns = {key: mapper.column_attrs[key].columns[0] for key in keys}
        statement = (
            update(table)
            .where(key_column == bindparam("_key"), version == bindparam("_read"))
            .values(
                {column: bindparam(key, type_=column.type) for key, column in columns.items()}
                | {version: bindparam("_next")}
            )
        )
        params = []
        for record, changes in rows:
            read = getattr(record, version_key)
            params.append(
                {
                    **changes,
                    "_key": mapper.primary_key_from_instance(record)[0],
                    "_read": read,
                    "_next": mapper.version_id_generator(read),
                }
            )
        matched = connection.execute(statement, params).rowcount
        if matched != len(rows):
            raise StaleDataError(
                f"UPDATE of {table.name} expected {len(rows)} row(s), {matched} matched"
            )
        for (record, changes), row in zip(rows, params, strict=True):
            for key, value in changes.items():
                set_committed_value(record, key, value)
            set_committed_value(record, version_key, row["_next"])
    return sum(len(rows) for rows in groups.values())
