"""`matchmaker backup` / `restore`: a real SQLite online backup, the embedded index and the
uploads, round trip through the command line; writes held back while the index is copied.

These tests use their own SQLite database (a one-machine installation) in both test passes.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from matchmaker import create_app
from matchmaker.extensions import db
from matchmaker.models import Demand, IndexOutbox
from matchmaker.search_engine import get_search
from search import DEMANDS, SearchQuery, SearchUnavailable
from search.backends.embedded import EmbeddedBackend
from tests import factories
from tests.conftest import base_config


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """An empty, migrated SQLite file, copied by each test (migrating costs seconds)."""
    path = tmp_path_factory.mktemp("backup-db") / "template.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def site(migrated_sqlite, tmp_path):
    """A one-machine installation: SQLite file, embedded index, uploads, all under tmp_path."""
    shutil.copy(migrated_sqlite, tmp_path / "matchmaker.sqlite3")
    config = base_config(f"sqlite:///{tmp_path / 'matchmaker.sqlite3'}", tmp_path)
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        get_search().close()
        db.engine.dispose()


def _titles_found(text: str) -> set[str]:
    page = get_search().search(SearchQuery(index=DEMANDS, text=text, per_page=50))
    ids = [hit.id for hit in page.hits]
    return set(db.session.scalars(select(Demand.title).where(Demand.id.in_(ids))))


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_round_trip_through_the_command_line(site, tmp_path, monkeypatch):
    make = factories.Factories(db.session)
    owner = make.enterprise()
    make.demand(owner, title="摩托车头盔外观设计")
    # A change committed while the engine was down: in the outbox, not in the index.
    backend = get_search()
    monkeypatch.setattr(backend, "index", _down)
    make.demand(owner, title="电动摩托车结构设计")
    monkeypatch.undo()
    assert db.session.scalar(select(func.count(IndexOutbox.id))) >= 1
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "drawing.pdf").write_bytes(b"%PDF-1.7 original")
    (uploads / "photo.png").write_bytes(b"\x89PNG original")
    before = _files(uploads)

    runner = site.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "database database.sqlite3" in result.output and "2 uploaded files" in result.output

    # Everything changes after the backup...
    make.demand(owner, title="摩托车仪表台设计")
    (uploads / "photo.png").unlink()
    (uploads / "later.pdf").write_bytes(b"%PDF-1.7 later")
    assert _titles_found("摩托车") == {
        "摩托车头盔外观设计",
        "摩托车仪表台设计",
        "电动摩托车结构设计",
    }

    # ...and comes back as it was, with the kept outbox delivered.
    result = runner.invoke(args=["restore", str(tmp_path / "backup")], input="y\n")
    assert result.exit_code == 0, result.output
    assert "pending index changes delivered" in result.output
    db.session.expire_all()
    titles = set(db.session.scalars(select(Demand.title)))
    assert titles == {"摩托车头盔外观设计", "电动摩托车结构设计"}
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == 0
    assert _titles_found("摩托车") == {"摩托车头盔外观设计", "电动摩托车结构设计"}
    assert _files(uploads) == before


def test_backup_and_restored_files_are_readable_by_the_service_account_only(site, tmp_path):
    """A backup holds what the instance holds: folders 0700, files 0600, whatever the umask
    and whatever mode an older upload has."""
    make = factories.Factories(db.session)
    make.demand(make.enterprise(), title="摩托车头盔外观设计")
    uploads = tmp_path / "uploads"
    (uploads / "ab").mkdir(parents=True)
    (uploads / "ab" / "drawing.pdf").write_bytes(b"%PDF-1.7 original")
    (uploads / "ab" / "drawing.pdf").chmod(0o644)
    runner = site.test_cli_runner()
    old_umask = os.umask(0o022)
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
        assert result.exit_code == 0, result.output
        (tmp_path / "matchmaker.sqlite3").unlink()  # restore creates the database file anew
        result = runner.invoke(args=["restore", str(tmp_path / "backup")], input="y\n")
        assert result.exit_code == 0, result.output
    finally:
        os.umask(old_umask)
    backup = tmp_path / "backup"
    modes = {str(p.relative_to(backup)): _mode(p) for p in [backup, *backup.rglob("*")]}
    assert modes == {
        ".": 0o700,
        "manifest.json": 0o600,
        "database.sqlite3": 0o600,
        "search.sqlite3": 0o600,
        "uploads": 0o700,
        "uploads/ab": 0o700,
        "uploads/ab/drawing.pdf": 0o600,
    }
    assert _mode(tmp_path / "matchmaker.sqlite3") == 0o600
    assert _mode(uploads / "ab" / "drawing.pdf") == 0o600


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _down(*args, **kwargs):
    raise SearchUnavailable("engine down")


def test_restore_asks_first_and_changes_nothing_when_refused(site, tmp_path):
    make = factories.Factories(db.session)
    make.demand(make.enterprise(), title="第一版")
    runner = site.test_cli_runner()
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    make.demand(make.enterprise(), title="第二版")
    result = runner.invoke(args=["restore", str(tmp_path / "b")], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert db.session.scalar(select(func.count(Demand.id))) == 2


def test_backup_refuses_a_folder_in_use_and_restore_a_folder_that_is_no_backup(site, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    runner = site.test_cli_runner()
    result = runner.invoke(args=["backup", str(tmp_path / "full")])
    assert result.exit_code == 1 and "not empty" in result.output
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "full")])
    assert result.exit_code == 1 and "is not a backup" in result.output


def test_on_postgresql_only_local_files_are_copied_and_the_rest_is_named(tmp_path):
    config = base_config("postgresql+psycopg://nobody:x@127.0.0.1:1/none", tmp_path)
    app = create_app(config)
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.pdf").write_bytes(b"%PDF")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
        get_search().close()
    assert result.exit_code == 0, result.output
    assert "database -" in result.output and "pg_dump" in result.output
    assert (tmp_path / "b" / "uploads" / "a.pdf").read_bytes() == b"%PDF"
    assert not (tmp_path / "b" / "database.sqlite3").exists()


def test_writes_wait_while_the_index_is_copied(tmp_path, taxonomy_raw):
    path = str(tmp_path / "index.sqlite3")
    reader, writer = EmbeddedBackend(path, taxonomy_raw), EmbeddedBackend(path, taxonomy_raw)
    writer.index(DEMANDS, [_demand_record(1)])
    finished = threading.Event()

    def write_second():
        writer.index(DEMANDS, [_demand_record(2)])
        finished.set()

    with reader.snapshot(str(tmp_path / "copy.sqlite3")):
        thread = threading.Thread(target=write_second)
        thread.start()
        time.sleep(0.5)
        assert not finished.is_set()  # held back while the caller copies the database
    thread.join(timeout=30)
    assert finished.is_set()
    copy = EmbeddedBackend(str(tmp_path / "copy.sqlite3"), taxonomy_raw)
    assert [s.documents for s in copy.status() if s.index == DEMANDS] == [1]
    reader.refresh()
    assert [s.documents for s in reader.status() if s.index == DEMANDS] == [2]
    for backend in (reader, writer, copy):
        backend.close()


@pytest.fixture(scope="module")
def taxonomy_raw():
    from matchmaker.taxonomy import get_taxonomy

    return get_taxonomy().raw


def _demand_record(i: int) -> dict:
    return {
        "id": i,
        "version": 1,
        "title": f"需求{i}",
        "description": "外观设计",
        "cluster": "nev-ice",
        "services": ["appearance-design"],
        "region": "yongchuan",
        "budget_min": 1000,
        "budget_max": 2000,
        "deadline": "2030-01-01",
        "status": "published",
        "organization_name": "企业",
        "created_at": "2026-01-01T00:00:00",
        "published_at": "2026-01-01T00:00:00",
    }
