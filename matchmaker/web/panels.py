"""What pages share around a service call that may be refused, and an expert panel's pages on
the rubric machinery (``services/rubrics.py``): seating a reviewer and an expert's scores, written
once for accreditation and the showcase alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField

from ..extensions import db
from ..models import User
from ..services import rubrics
from ..services.errors import ServiceError, ValidationFailed
from ..transaction import unit_of_work
from .common import actor, show_errors


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


def panel_routes(
    bp: Blueprint,
    rule: str,
    *,
    page: str,
    service: ModuleType,
    read: Callable[..., Any],
    again: Callable[..., Any],
    scored: str,
) -> None:
    """Add ``rule``/reviewers (an administrator seats an expert) and ``rule``/scores (the
    acting expert's scores) to ``bp``, as the endpoints ``seat`` and ``score``.

    ``service`` offers ``assign_reviewer``, ``criteria`` and ``score`` with the subject's id;
    ``read`` loads the subject as the actor may see it; ``page`` is the endpoint of the
    subject's page and ``again(id, status, **forms)`` draws it with a refused score form;
    ``scored`` is said once scores are taken.
    """

    def seat(**path: int) -> Response:
        (subject_id,) = path.values()
        expert_id = request.form.get("expert_id", type=int)
        attempt(
            lambda: service.assign_reviewer(db.session, actor(), subject_id, expert_id),
            _("已分派评审专家"),
        )
        return redirect(url_for(page, **path))

    def score(**path: int):
        (subject_id,) = path.values()
        user = actor()
        criteria = service.criteria(read(db.session, user, subject_id))
        form = ScoreForm()
        body = form.body(criteria, request.form)
        try:
            with unit_of_work():
                service.score(db.session, user, subject_id, body)
        except ValidationFailed as exc:
            show_errors(form, exc)
            return again(
                subject_id,
                422,
                score_form=form,
                scores_given=body["scores"],
                score_errors=exc.fields,
            )
        flash(str(scored), "success")
        return redirect(url_for(page, **path))

    bp.add_url_rule(f"{rule}/reviewers", "seat", login_required(seat), methods=["POST"])
    bp.add_url_rule(f"{rule}/scores", "score", login_required(score), methods=["POST"])


def score_form(user: User, subject: str, record_id: int, forms: dict) -> dict:
    """The acting expert's score form on the record's page: the form just refused with what
    was typed (``forms``, from ``submit_scores``), or the scores and comment it gave before."""
    own = rubrics.own_review(db.session, user, subject, record_id)
    form = forms.get("score_form") or ScoreForm()
    if form.comment.data is None:
        form.comment.data = own.comment
    return {"score_form": form, "scores_given": forms.get("scores_given") or dict(own.scores)}
