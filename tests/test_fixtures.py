"""The fixtures and hooks every test relies on: empty tables, ids from 1, which tests reach the
database, where time went."""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from tests.conftest import SLOWEST_FILES, _empty_tables, time_summary


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_emptying_leaves_no_row_and_ids_start_again_at_one(make):
    admin = make.admin()
    owner, provider = make.enterprise(), make.provider()
    make.interest(provider, make.demand(owner, admin=admin))
    filled = [name for name, count in _row_counts().items() if count]
    assert len(filled) >= 5, filled

    _empty_tables()
    db.session.expunge_all()  # as the next test's session would start

    assert [name for name, count in _row_counts().items() if count] == []
    assert make.enterprise().id == 1


def test_the_run_ends_with_its_phases_and_slowest_files():
    files = {f"tests/test_{n}.py": float(n) for n in range(SLOWEST_FILES + 3)}
    phases, slowest = time_summary({"setup": 2.5, "call": 7.3}, files)

    assert phases == "time in test phases: setup 2.5s, call 7.3s, teardown 0.0s"
    named = slowest.removeprefix("slowest test files: ").split(", ")
    assert len(named) == SLOWEST_FILES
    assert named[:2] == [
        f"tests/test_{SLOWEST_FILES + 2}.py {SLOWEST_FILES + 2}.0s",
        f"tests/test_{SLOWEST_FILES + 1}.py {SLOWEST_FILES + 1}.0s",
    ]
    assert time_summary({}, {}) == []


def test_a_test_reaching_the_database_is_marked_for_the_postgresql_pass(request, make):
    assert request.node.get_closest_marker("database") is not None


def test_a_test_without_the_database_is_left_to_the_sqlite_pass(request, tmp_path):
    assert request.node.get_closest_marker("database") is None
