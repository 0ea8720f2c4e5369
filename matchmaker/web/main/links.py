"""Links to pages by path, built with ``url_for`` whenever a route serves that path.

Navigation points at pages of several features; going through the URL map keeps the
links right under a script root and tells a missing page apart from a typo in tests.
"""
from __future__ import annotations

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def page_url(path: str) -> str:
    """``url_for`` of the GET endpoint serving ``path``; the plain path if none does (yet)."""
    adapter = current_app.url_map.bind("localhost", script_name=request.script_root or "/")
    try:
        endpoint, args = adapter.match(path, method="GET")
    except RequestRedirect as redirect:  # e.g. a trailing slash added by the rule
        return redirect.new_url.split("localhost", 1)[-1]
    except HTTPException:
        return (request.script_root or "") + path
    return url_for(endpoint, **args)


def is_local_path(target: str | None) -> bool:
    """Only same-site absolute paths may be redirect targets (never an open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return "\\" not in target and not any(ord(ch) < 32 for ch in target)
