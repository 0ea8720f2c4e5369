"""One unit of work: after-commit work runs after the commit, never after a rollback."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from matchmaker import transaction
from matchmaker.extensions import db
from matchmaker.models import IndexOutbox, Organization, OrgType
from matchmaker.services import demands, unit_of_work
from matchmaker.services.errors import ValidationFailed
from matchmaker.services.indexing import DELIVER


@pytest.fixture
def ran(app, monkeypatch, database_url):
    """A "probe" handler that records its arguments and what another connection sees then."""
    calls: list[tuple] = []
    outside = create_engine(database_url)

    def probe(name: str) -> None:
        with outside.connect() as connection:
            seen = connection.scalar(select(Organization.id).where(Organization.name == name))
        calls.append((name, seen is not None))

    monkeypatch.setitem(transaction.HANDLERS, "probe", probe)
    yield calls
    outside.dispose()


def _write(name: str) -> None:
    db.session.add(Organization(type=OrgType.ENTERPRISE, name=name, region="yongchuan"))
    db.session.flush()
    unit_of_work.after_commit(db.session, "probe", name)


def test_work_runs_after_the_commit_and_sees_it(ran):
    with transaction.unit_of_work():
        _write("甲")
        assert ran == []  # not before the commit
    assert ran == [("甲", True)]


def test_a_block_that_raises_rolls_back_and_drops_the_work(ran):
    with pytest.raises(ValidationFailed), transaction.unit_of_work():
        _write("乙")
        raise ValidationFailed("no")
    transaction.commit()  # a later commit does not run it either
    assert ran == []
    assert db.session.scalar(select(Organization).where(Organization.name == "乙")) is None


def test_any_rollback_drops_the_work(ran):
    _write("丙")
    db.session.rollback()  # not through transaction.rollback: the work still goes
    transaction.commit()
    assert ran == []


def test_a_savepoint_rollback_keeps_the_outer_work(ran):
    _write("丁")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        unit_of_work.after_commit(db.session, "probe", "inner")
        raise RuntimeError
    transaction.commit()
    assert ran[0] == ("丁", True)


def test_the_same_work_twice_runs_once(ran):
    _write("戊")
    unit_of_work.after_commit(db.session, "probe", "戊")
    transaction.commit()
    assert ran == [("戊", True)]


def test_a_failing_handler_neither_undoes_the_commit_nor_stops_the_rest(ran, monkeypatch):
    def broken() -> None:
        raise RuntimeError("mail server on fire")

    monkeypatch.setitem(transaction.HANDLERS, "broken", broken)
    unit_of_work.after_commit(db.session, "broken")
    _write("己")
    transaction.commit()
    assert ran == [("己", True)]


def test_indexed_writes_register_delivery_and_a_refused_write_leaves_nothing(app, make):
    owner, admin = make.enterprise(), make.admin()
    demand = make.demand(owner, admin=admin)
    demands.withdraw(db.session, owner, demand.id)
    assert unit_of_work.pending(db.session) == [unit_of_work.AfterCommit(DELIVER)]
    transaction.rollback()
    assert unit_of_work.pending(db.session) == []
    assert db.session.scalars(select(IndexOutbox)).all() == []
