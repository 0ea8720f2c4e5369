"""Asking once before an irreversible action, and saying what will happen and to whom.

A button that needs confirmation is a small POST form carrying its question in ``data-confirm-*``
attributes (templates: ``confirm_form``). With JavaScript, ``static/js/app.js`` asks in a
``<dialog>`` and sends the form with ``confirmed=1``. Without it the form arrives unconfirmed,
and the view answers with ``ask``: a page with the same question and a form that confirms.
Either way the view acts only on a confirmed request, so nothing happens by accident.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request


@dataclass(frozen=True)
class Question:
    title: str  # the action as a question: 接受该意向？
    detail: str  # what will happen, and to whom
    confirm: str  # the button that does it
    warning: str | None = None  # something to know first (a period that has not ended …)


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def ask(question: Question, back: str):
    """The page that asks when the browser could not (no script): the same form, confirmed."""
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("confirmed", "csrf_token")
    ]
    return render_template(
        "confirm.html", question=question, action=request.path, fields=fields, back=back
    )
