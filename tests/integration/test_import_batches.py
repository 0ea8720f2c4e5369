"""An import writes its rows in batches: one versioned UPDATE per chunk and table, not per row;
on PostgreSQL new rows take their keys first, so their INSERTs return nothing; a row changed
by someone else meanwhile still fails the write."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm.exc import StaleDataError

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Provider
from matchmaker.services import versions
from matchmaker.services.imports import jobs
from matchmaker.transaction import commit
from tests.integration.test_import_chunks import indexed_providers, previewed


@pytest.fixture
def admin(make):
    return make.admin()


@pytest.fixture
def statements():
    """Every statement sent, with whether it went as one statement for many rows."""
    seen: list[tuple[str, bool]] = []

    def note(conn, cursor, statement, params, context, executemany):
        seen.append((statement, executemany))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def imported(admin, rows: int, **overrides) -> None:
    job = previewed(admin, rows, **overrides)
    jobs.start(db.session, admin, job.id)
    commit()  # the import runs after the commit (at once in tests)
    assert db.session.get(type(job), job.id).status == "done"


def test_a_reimport_updates_its_rows_in_one_statement_per_chunk(admin, statements):
    imported(admin, 30)
    versions_before = dict(db.session.execute(select(Provider.external_id, Provider.version)).all())
    statements.clear()
    imported(admin, 30, 所在区县="江津区")  # every row an update
    updates = [(s, many) for s, many in statements if s.startswith("UPDATE providers")]
    assert len(updates) == 1 and updates[0][1]  # one executemany for the 30 rows
    assert "providers.version =" in updates[0][0]  # each row still checks its version
    db.session.expire_all()
    after = {p.external_id: p for p in db.session.scalars(select(Provider))}
    assert {p.organization.region for p in after.values()} == {"jiangjin"}
    assert {k: p.version for k, p in after.items()} == {
        k: v + 1 for k, v in versions_before.items()
    }


def test_new_rows_of_an_import_return_nothing_on_postgresql(admin, statements):
    imported(admin, 30)
    for table in ("audit_events", "index_outbox", "organizations"):
        inserts = [(s, many) for s, many in statements if s.startswith(f"INSERT INTO {table} ")]
        # a batch of rows returning their keys: one long statement with numbered placeholders
        returned = [s for s, _ in inserts if "RETURNING" in s and "__1)s" in s]
        if db.engine.dialect.name == "postgresql":  # (SQLite keeps the ORM's own batches)
            assert returned == [] and any(many for _, many in inserts), table
    assert indexed_providers() == 30  # the outbox rows were written and delivered
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "provider.created"))
    assert len(list(events)) == 30


def test_a_row_changed_meanwhile_fails_the_batched_write(admin):
    imported(admin, 5)
    rows = list(db.session.scalars(select(Provider).order_by(Provider.id)))
    for provider in rows:
        provider.description = "新的描述"
    # someone else saves the third provider after it was read
    db.session.connection().execute(
        update(Provider.__table__)
        .where(Provider.__table__.c.id == rows[2].id)
        .values(version=Provider.__table__.c.version + 1)
    )
    with pytest.raises(StaleDataError):
        versions.write_in_batches(db.session, rows)
    db.session.rollback()
    assert {p.description for p in db.session.scalars(select(Provider))} != {"新的描述"}


def test_batched_writes_leave_the_records_as_if_flushed(admin, statements):
    imported(admin, 3)
    rows = list(db.session.scalars(select(Provider).order_by(Provider.id)))
    read = [p.version for p in rows]
    rows[0].description, rows[1].team_size = "甲", 12  # two sets of columns: two statements
    statements.clear()
    assert versions.write_in_batches(db.session, rows) == 2
    assert [p.version for p in rows] == [read[0] + 1, read[1] + 1, read[2]]
    db.session.flush()  # nothing left for the ORM to write
    assert [s for s, _ in statements if s.startswith("UPDATE")] == [s for s, _ in statements[:2]]
    commit()
    db.session.expire_all()
    assert db.session.get(Provider, rows[0].id).description == "甲"
    assert db.session.get(Provider, rows[1].id).team_size == 12
