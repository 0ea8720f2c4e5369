"""The home page as visitors see it, rendered once per process for each set of figures.

The home page is the most visited page and, for a visitor who is not signed in, the same for
everyone but the form token of the language switch: rendering its templates cost about three
quarters of the page's time. The figures are still counted at every request (one statement),
and the page kept is keyed by them and by the language, so a write that changes a figure
changes the next page in every worker at once. Each visitor's own form token is put into the
kept page where the rendering's token stood. Signed-in users (their name, their menu) and
visitors with a message waiting (``flash``) get the page rendered for them.
"""

from __future__ import annotations

import weakref

from flask import Flask, current_app, render_template, request, session
from flask_wtf.csrf import generate_csrf

from ...services.engine_cache import Answers
from ..common import locale

SIZE = 64  # pages per process: two languages × the figures' recent states

# One store per app: another app (another configuration, another test) starts empty.
_stores: weakref.WeakKeyDictionary[Flask, Answers] = weakref.WeakKeyDictionary()


def _store(app: Flask) -> Answers:
    store = _stores.get(app)
    if store is None:
        store = _stores.setdefault(app, Answers(SIZE))
    return store


def keepable() -> bool:
    """Whether this request gets the page everyone gets: a visitor with no message waiting,
    on the plain address (the language form sends the address back, query string and all)."""
    return "_flashes" not in session and not request.query_string


def for_visitor(counts: dict[str, int]) -> str:
    """The visitor's home page with these figures, rendered only if not kept yet."""
    key = repr((locale(), sorted(counts.items())))
    store = _store(current_app._get_current_object())
    pieces = store.get(key)
    if pieces is None:
        html = render_template("main/index.html", counts=counts, role=None)
        pieces = html.split(generate_csrf())
        store.put(key, pieces)
    return generate_csrf().join(pieces)
