"""The fixtures every test relies on: each test starts from empty tables, ids from 1."""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from tests.conftest import _empty_tables


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
