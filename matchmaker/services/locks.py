"""Named locks held until the end of the transaction, for the few steps that must run one at a time.

On PostgreSQL a transaction-level advisory lock (released by commit or rollback, also when a
worker dies). SQLite has one writer at a time already: a transaction that has written holds
the database's write lock until it ends, so the caller's first write (a conditional UPDATE
that claims the record) serialises what follows; the lock itself is then a no-op.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def hold(session: Session, name: str) -> None:
    """Wait for and take the lock ``name`` until this transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"matchmaker:{name}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
