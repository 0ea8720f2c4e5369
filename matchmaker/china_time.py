"""China Standard Time, defined once: timestamps are stored as naive UTC, people read and type
China time (Chongqing keeps no daylight saving, so a fixed offset is exact)."""

from __future__ import annotations

import datetime as dt

ZONE = dt.timezone(dt.timedelta(hours=8))


def to_local(value: dt.datetime) -> dt.datetime:
    """Stored naive UTC → naive China time."""
    return value.replace(tzinfo=dt.UTC).astimezone(ZONE).replace(tzinfo=None)


def to_utc(local: dt.datetime) -> dt.datetime:
    """A naive China-time datetime (what a form gives) as naive UTC (what is stored)."""
    return local.replace(tzinfo=ZONE).astimezone(dt.UTC).replace(tzinfo=None)


def today(now: dt.datetime | None = None) -> dt.date:
    """The date in China now (or at ``now``, naive UTC)."""
    return to_local(now or dt.datetime.now(dt.UTC).replace(tzinfo=None)).date()


def formatted(value: str | dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M", empty: str = "") -> str:
    """A stored timestamp (or its ISO text) in China time; ``empty`` when there is none."""
    if not value:
        return empty
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZONE).strftime(fmt)
