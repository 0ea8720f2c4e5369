"""Calendar files (.ics, RFC 5545) for meetings and diagnostic visits, written with ``icalendar``.

One event per meeting, identified by a UID that never changes, so that a calendar program
updates the event it already has when the time or place changes (a higher SEQUENCE) and
marks it cancelled when the meeting is called off. A meeting has a start only; the event
lasts ``DURATION``.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..models import Meeting, MeetingStatus, utcnow

DURATION = dt.timedelta(hours=3)
MIMETYPE = "text/calendar"


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC)


def filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}.ics"


def ics(meeting: Meeting, sequence: int, base_url: str = "") -> bytes:
    """The meeting as one event: confirmed, or cancelled once it is called off."""
    return event_file(
        f"meeting-{meeting.id}",
        sequence,
        meeting.starts_at,
        DURATION,
        meeting.title,
        meeting.place,
        meeting.description,
        f"{base_url}/meetings/invitations" if base_url else "",
        meeting.status == MeetingStatus.CANCELLED,
        base_url,
    )


def event_file(
    key: str,
    sequence: int,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    summary: str,
    location: str,
    description: str,
    url: str,
    cancelled: bool,
    base_url: str = "",
) -> bytes:
    """One event (a meeting, a diagnostic visit) whose UID ``key@host`` never changes."""
    host = urlsplit(base_url).hostname or "matchmaker.local"
    calendar = Calendar()
    calendar.add("prodid", "-//Matchmaker//Matchmaking meetings//ZH")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{key}@{host}")
    event.add("sequence", sequence)
    event.add("dtstamp", _aware(utcnow()))
    event.add("dtstart", _aware(starts_at))
    event.add("dtend", _aware(starts_at + duration))
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
