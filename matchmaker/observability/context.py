"""Per-request context shared by logs, metrics and error pages: a request id and a start time.

The id comes from the reverse proxy's ``X-Request-ID`` when it looks like one (so proxy and
app logs line up), otherwise it is generated; it is sent back in the same header.
"""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, has_request_context, request

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Kept in the WSGI environ, which belongs to one request (``g`` may outlive it: an app
# context pushed around several requests, as in tests, shares one ``g``).
_ID = "matchmaker.request_id"
_STARTED = "matchmaker.request_started"


def request_id() -> str | None:
    """The current request's id (assigned on first use), or None outside a request."""
    if not has_request_context():
        return None
    if _ID not in request.environ:
        incoming = request.headers.get(HEADER, "")
        request.environ[_ID] = incoming if _ACCEPTED.fullmatch(incoming) else uuid.uuid4().hex
    return request.environ[_ID]


def elapsed() -> float:
    """Seconds since the request started."""
    return time.perf_counter() - request.environ.get(_STARTED, time.perf_counter())


def init_app(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        request.environ[_STARTED] = time.perf_counter()
        request_id()

    @app.after_request
    def send_id(response):
        response.headers[HEADER] = request_id()
        return response
