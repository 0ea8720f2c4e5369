"""What pages share around a service call that may be refused, and around an expert's scores
on the rubric machinery (``services/rubrics.py``: accreditation and the showcase alike)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import flash, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from ..services.errors import ServiceError, ValidationFailed
from ..transaction import unit_of_work
from .common import show_errors


class ScoreForm(FlaskForm):
    """The criteria's scores are inputs named ``score_<code>``, one per criterion."""

    comment = TextAreaField(_l("评审意见"), render_kw={"rows": 4, "maxlength": 2000})

    def body(self, criteria: Sequence, form) -> dict:
        scores = {}
        for criterion in criteria:
            raw = (form.get(f"score_{criterion.code}") or "").strip()
            if raw:
                scores[criterion.code] = int(raw) if raw.isdigit() else raw
        return {"scores": scores, "comment": (self.comment.data or "").strip()}


def attempt(action: Callable[[], object], done: str) -> None:
    """Run one service call in a unit of work and flash ``done``, or the refusal's message
    (a record not seen, or not the actor's to act on, still answers 404 / 403)."""
    try:
        with unit_of_work():
            action()
        flash(done, "success")
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")


def submit_scores(criteria: Sequence, score: Callable[[dict], object], again: Callable):
    """The acting expert's scores from the form; on a refusal, ``again`` draws the page with
    the form, what was typed and the messages (its return value is the answer), else None."""
    form = ScoreForm()
    body = form.body(criteria, request.form)
    try:
        with unit_of_work():
            score(body)
    except ValidationFailed as exc:
        show_errors(form, exc)
        return again(score_form=form, scores_given=body["scores"], score_errors=exc.fields)
    return None
