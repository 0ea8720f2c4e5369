"""Optimistic concurrency for demands and providers: a write from an old copy is a 409.

Both carry a ``version`` that every UPDATE moves and checks (SQLAlchemy's version counter).
A caller that says which version it edited (a form's hidden field, a PATCH body's ``version``
or ``If-Match``) is refused at once when that is no longer the current one; two writes from
the same version at the same moment are refused at the UPDATE itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
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
