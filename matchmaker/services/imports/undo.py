"""Undoing an import that was committed in chunks: every chunk's row changes, kept beside it.

A large import is written in chunks, each committed on its own, so that no other writer
waits for the whole import (SQLite has one writer at a time). For the user it is still one
import: all of it or none. While a chunk is flushed, ``Recorder`` notes every row it
inserts, the old values of every column it updates, and every row it deletes; the chunk's
notes (``ImportUndo``) are committed in the same transaction as the chunk. ``undo`` plays
the notes of a job backwards (delete what was inserted, put back old values and deleted
rows) in one transaction and queues the search index changes, so a failed or interrupted
import leaves the database as it found it. Changes other users made meanwhile to the
imported records are undone with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, DateTime, delete, event, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import PASSIVE_NO_INITIALIZE

from ...extensions import db
from ...models import Demand, ImportUndo, IndexOutbox, Provider
from ..indexing import DELIVER
from ..unit_of_work import after_commit

KEY = "matchmaker.import_undo"
NOT_RECORDED = {"import_jobs", "import_undo", "job_runs"}  # the import's own bookkeeping
INDEXED = {Provider.__tablename__: "providers", Demand.__tablename__: "demands"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _column_values(mapper, obj, columns=None) -> dict[str, Any]:
    return {
        column.key: _plain(getattr(obj, prop.key))
        for prop in mapper.column_attrs
        for column in prop.columns
        if columns is None or prop.key in columns
    }


def _primary_key(mapper, obj) -> list[Any]:
    return [_plain(value) for value in mapper.primary_key_from_instance(obj)]


class Recorder:
    """Notes the row changes of the flushes made while it is active (``with Recorder(s):``)."""

    def __init__(self, session: Session):
        self.session = session
        self.inserted: list[Any] = []  # objects; their keys are read after the flush
        self.updated: list[tuple[str, list[Any], dict[str, Any]]] = []
        self.deleted: list[tuple[str, dict[str, Any]]] = []

    def __enter__(self) -> Recorder:
        self.session.info[KEY] = self
        return self

    def __exit__(self, *exc) -> None:
        self.session.info.pop(KEY, None)

    def before_flush(self, session: Session) -> None:
        def recorded(obj) -> bool:
            return inspect(obj).mapper.local_table.name not in NOT_RECORDED

        self.inserted += [obj for obj in session.new if recorded(obj)]
        self.note_updates(filter(recorded, session.dirty))
        for obj in filter(recorded, session.deleted):
            mapper = inspect(obj).mapper
            self.deleted.append((mapper.local_table.name, _column_values(mapper, obj)))

    def note_updates(self, objects: Iterable[Any]) -> None:
        """The old values of the columns changed on these loaded objects."""
        for obj in objects:
            state = inspect(obj)
            columns = state.mapper.column_attrs
            old = {}
            # Only the attributes set since the row was loaded have a committed value kept;
            # asking every column of every row for its history (``state.attrs``) cost more
            # than the flush itself on imports that update thousands of rows.
            for key in list(state.committed_state):
                if key not in columns:
                    continue  # a relationship: its rows are recorded on their own
                history = state.get_history(key, PASSIVE_NO_INITIALIZE)
                if history.has_changes() and history.deleted:
                    old[columns[key].columns[0].key] = _plain(history.deleted[0])
            if old:
                self.updated.append(
                    (state.mapper.local_table.name, _primary_key(state.mapper, obj), old)
                )

    def notes(self) -> dict[str, Any]:
        inserted: dict[str, list[list[Any]]] = {}
        for obj in self.inserted:
            mapper = inspect(obj).mapper
            inserted.setdefault(mapper.local_table.name, []).append(_primary_key(mapper, obj))
        return {"inserted": inserted, "updated": self.updated, "deleted": self.deleted}


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    recorder = session.info.get(KEY)
    if recorder is not None:
        recorder.before_flush(session)


def note_updates(session: Session, objects: list[Any]) -> None:
    """For rows written outside a flush (``versions.write_in_batches``), before they are:
    their old values go into the active recorder's notes, if one is active."""
    recorder = session.info.get(KEY)
    if recorder is not None:
        recorder.note_updates(objects)


def keep(session: Session, job_id: int, seq: int, recorder: Recorder) -> None:
    """Store a chunk's notes (in the chunk's own transaction)."""
    session.add(ImportUndo(job_id=job_id, seq=seq, notes=recorder.notes()))


# --- playing the notes backwards --------------------------------------------------------


def _table(name: str):
    return db.metadata.tables[name]


def _typed(table, values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        column_type = table.c[key].type
        if isinstance(value, str) and isinstance(column_type, DateTime):
            value = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column_type, Date):
            value = dt.date.fromisoformat(value)
        out[key] = value
    return out


def _where(table, key: list[Any]):
    columns = list(table.primary_key.columns)
    return [column == value for column, value in zip(columns, key, strict=True)]


def undo(session: Session, job_id: int) -> int:
    """Put back everything the job's committed chunks changed; returns how many chunks."""
    chunks = list(
        session.scalars(
            select(ImportUndo).where(ImportUndo.job_id == job_id).order_by(ImportUndo.seq.desc())
        )
    )
    order = {table.name: i for i, table in enumerate(db.metadata.sorted_tables)}
    touched: dict[str, set[int]] = {kind: set() for kind in INDEXED.values()}
    for chunk in chunks:
        notes = chunk.notes
        for name in sorted(notes["inserted"], key=lambda n: -order[n]):  # children first
            table = _table(name)
            for key in notes["inserted"][name]:
                if name in INDEXED:
                    touched[INDEXED[name]].add(key[0])
                session.execute(delete(table).where(*_where(table, key)))
        for name, key, old in reversed(notes["updated"]):
            table = _table(name)
            if name in INDEXED:
                touched[INDEXED[name]].add(key[0])
            session.execute(update(table).where(*_where(table, key)).values(**_typed(table, old)))
        for name, row in sorted(notes["deleted"], key=lambda item: order[item[0]]):
            table = _table(name)
            session.execute(insert(table).values(**_typed(table, row)))
        session.delete(chunk)
    _reindex(session, touched)
    return len(chunks)


def _reindex(session: Session, touched: dict[str, set[int]]) -> None:
    """Every record the import touched goes to the index again: as it is now, or deleted."""
    for kind, ids in touched.items():
        if not ids:
            continue
        model = Provider if kind == "providers" else Demand
        existing = dict(
            session.execute(select(model.id, model.index_version).where(model.id.in_(ids))).all()
        )
        for record_id in ids:
            # version above anything the import indexed: the engine keeps the newest version
            version = (existing.get(record_id) or 0) + 1_000
            if record_id in existing:
                session.execute(
                    update(model).where(model.id == record_id).values(index_version=version)
                )
            session.add(IndexOutbox(kind=kind, record_id=record_id, version=version))
    after_commit(session, DELIVER)
