"""Backup and restore of a one-machine installation: the SQLite database, the embedded search
index and the uploaded files, as one folder.

Consistency: the index is copied while its writes are held back, and the database is copied
(SQLite's online backup API: a snapshot, taken while the service runs) inside that pause.
Every change the index copy lacks is therefore still in the database copy's outbox, and a
restore ends by delivering it. Uploads are stored under random names and never rewritten, so
they are copied before and again after the snapshot: the copy holds every file the database
copy refers to (unless one was deleted in the second between the two).

PostgreSQL and Elasticsearch have their own tools (``pg_dump``, snapshot repositories; see
docs/operations.md); on such an installation a backup holds what is local: the uploads.

A backup holds what the instance folder holds (password hashes, contact details, firms'
documents), so it is as private: its folders 0700 and its files 0600 (``private_files``), and
so is a database file a restore creates.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from contextlib import closing, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from search.backends.embedded import EmbeddedBackend

from . import private_files
from .extensions import db
from .search_engine import get_search

MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
SEARCH_INDEX = "search.sqlite3"
UPLOADS = "uploads"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Manifest:
    created_at: str
    format: int = FORMAT
    database: str | None = None  # file name in the folder, when the database is SQLite
    schema_revision: str | None = None
    search_index: str | None = None  # file name, when the search backend is embedded
    uploads: int = 0  # files copied
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"{folder} is not a backup ({MANIFEST}: {exc})") from exc
        if data.get("format") != FORMAT:
            raise BackupError(f"{folder}: backup format {data.get('format')} is not {FORMAT}")
        return cls(**data)

    def write(self, folder: Path) -> None:
        text = json.dumps(asdict(self), indent=2, ensure_ascii=False)
        private_files.create(folder / MANIFEST, (text + "\n").encode())


def sqlite_path(app: Flask) -> Path | None:
    """The database file, or None when the database is not a SQLite file."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _embedded(app: Flask) -> EmbeddedBackend | None:
    backend = get_search(app)
    return backend if isinstance(backend, EmbeddedBackend) else None


def _copy_new_files(source: Path, target: Path) -> int:
    """Copy files of ``source`` missing from ``target``; returns how many were copied."""
    copied = 0
    for folder, _, files in os.walk(source):
        destination = private_files.folder(target / Path(folder).relative_to(source))
        for name in files:
            if not (destination / name).exists():
                private_files.ensure(destination / name)
                shutil.copyfile(Path(folder) / name, destination / name)
                copied += 1
    return copied


def _schema_revision(database: Path) -> str | None:
    # closing(): sqlite3's own context manager only commits, and an open connection keeps the
    # copy's -wal and -shm files beside it.
    with closing(sqlite3.connect(database)) as conn:
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return None
    return row[0] if row else None


def backup(app: Flask, target: Path) -> Manifest:
    """Write a backup into the new folder ``target`` (complete, or not there at all)."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty: choose a new folder")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    private_files.folder(partial)
    manifest = Manifest(created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    uploads = Path(app.config["UPLOAD_FOLDER"])
    try:
        private_files.folder(partial / UPLOADS)  # even empty: a restore then empties it too
        if uploads.is_dir():
            manifest.uploads = _copy_new_files(uploads, partial / UPLOADS)
        database, index = sqlite_path(app), _embedded(app)
        if index:
            private_files.ensure(partial / SEARCH_INDEX)
        with index.snapshot(str(partial / SEARCH_INDEX)) if index else nullcontext():
            if database is not None:
                _copy_sqlite(database, partial / DATABASE)
        if index:
            manifest.search_index = SEARCH_INDEX
        else:
            manifest.notes.append(
                "search index not copied (Elasticsearch): use a snapshot repository, "
                "or rebuild with `matchmaker search reindex` after a restore"
            )
        if database is not None:
            manifest.database = DATABASE
            manifest.schema_revision = _schema_revision(partial / DATABASE)
        else:
            manifest.notes.append("database not copied (PostgreSQL): back it up with pg_dump")
        if uploads.is_dir():
            manifest.uploads += _copy_new_files(uploads, partial / UPLOADS)
        manifest.write(partial)
        if target.exists():
            target.rmdir()
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _copy_sqlite(source: Path, target: Path) -> None:
    private_files.ensure(target)  # SQLite keeps the mode of the file it finds
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a consistent snapshot even while the service writes
    finally:
        dst.close()
        src.close()


def restore(app: Flask, source: Path) -> tuple[Manifest, int]:
    """Put a backup back (stop the web and job workers first), bring the schema to this
    version's head and deliver the outbox the copy kept, so that the index matches.

    Returns the backup's manifest and how many outbox changes were delivered.
    """
    from flask_migrate import upgrade

    from .services import indexing

    manifest = Manifest.read(source)
    database, index = sqlite_path(app), _embedded(app)
    if manifest.database and database is None:
        raise BackupError("this backup holds a SQLite database, but DATABASE_URL is not SQLite")
    if manifest.database:
        private_files.folder(database.parent)
        db.engine.dispose()  # no pooled connection keeps the replaced file's pages
        _copy_sqlite(source / manifest.database, database)
    if manifest.search_index and index:
        index.restore(str(source / manifest.search_index))
    elif manifest.database:
        manifest.notes.append("search index not in this backup: run `matchmaker search reindex`")
    if (source / UPLOADS).is_dir():
        _replace_folder(source / UPLOADS, Path(app.config["UPLOAD_FOLDER"]))
    if not manifest.database:
        return manifest, 0
    upgrade()
    return manifest, indexing.deliver_pending(db.session, get_search(app))


def _replace_folder(source: Path, target: Path) -> None:
    """``target`` becomes a copy of ``source``; the old content goes only once the copy is in."""
    staging = target.with_name(target.name + ".restoring")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging)
    old = target.with_name(target.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
