"""A diagnostic meeting's expert slots (administrators): add, book, release, remove."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ...extensions import db
from ...services import accounts, meeting_slots
from ...services.errors import Conflict, ValidationFailed
from ...transaction import unit_of_work
from ..common import actor
from ..decorators import admin_required
from .routes import bp


def _back(meeting_id: int):
    return redirect(url_for(".detail", meeting_id=meeting_id, _anchor="slots"))


def _act(meeting_id: int, act, done: str):
    try:
        with unit_of_work():
            act()
    except (ValidationFailed, Conflict) as exc:
        problems = [m for messages in exc.fields.values() for m in messages] or [exc.message]
        for problem in problems:
            flash(problem, "error")
        return _back(meeting_id)
    flash(done, "success")
    return _back(meeting_id)


@bp.post("/admin/meetings/<int:meeting_id>/slots")
@admin_required
def add_slot(meeting_id: int):
    body = {
        "expert_id": request.form.get("expert_id", ""),
        "starts_at": request.form.get("starts_at", ""),
        "minutes": request.form.get("minutes") or 30,
        "topic": request.form.get("topic", "").strip(),
    }
    return _act(
        meeting_id,
        lambda: meeting_slots.add_slot(db.session, actor(), meeting_id, body),
        _("已添加专家时段"),
    )


@bp.post("/admin/meetings/<int:meeting_id>/slots/<int:slot_id>/book")
@admin_required
def book_slot(meeting_id: int, slot_id: int):
    name = request.form.get("organization", "")

    def book():
        organization_id = accounts.organization_id_by_name(db.session, name)
        if organization_id is None:
            message = _("平台上没有这家企业，请填写企业全称")
            raise ValidationFailed(message, {"organization": [message]})
        meeting_slots.book(db.session, actor(), meeting_id, slot_id, organization_id)

    return _act(meeting_id, book, _("已预约"))


@bp.post("/admin/meetings/<int:meeting_id>/slots/<int:slot_id>/release")
@admin_required
def release_slot(meeting_id: int, slot_id: int):
    return _act(
        meeting_id,
        lambda: meeting_slots.release(db.session, actor(), meeting_id, slot_id),
        _("已取消预约"),
    )


@bp.post("/admin/meetings/<int:meeting_id>/slots/<int:slot_id>/delete")
@admin_required
def remove_slot(meeting_id: int, slot_id: int):
    return _act(
        meeting_id,
        lambda: meeting_slots.remove_slot(db.session, actor(), meeting_id, slot_id),
        _("已删除时段"),
    )
