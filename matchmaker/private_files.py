"""Files only the service's own account may read: database, secret key, index, uploads.

They hold password hashes, contact details and firms' documents, so they are created with mode
0600 and their folders with 0700, whatever the process's umask. Existing files and folders are
left as the operator set them.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def folder(path: str | os.PathLike) -> Path:
    """The folder, created (with its missing parents) if it does not exist."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    return path


def create(path: str | os.PathLike, data: bytes = b"") -> None:
    """Write a new file; FileExistsError if it is there already (names are never reused)."""
    path = Path(path)
    folder(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


def ensure(path: str | os.PathLike) -> None:
    """Create an empty private file unless it exists (SQLite then keeps the mode it finds,
    for the database and for its journal and WAL files alike)."""
    try:
        create(path)
    except FileExistsError:
        pass


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///…`` URL; None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    name = url[len(prefix) :].split("?", 1)[0]
    return Path(name) if name and name != ":memory:" else None
