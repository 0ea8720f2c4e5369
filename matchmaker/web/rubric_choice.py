"""Choosing a rubric of the library on a selection's form (an accreditation round, a showcase
year): the rubric's current version, or criteria typed for this selection alone."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..extensions import db
from ..services import rubric_library, rubrics
from .common import actor


def rubric_field() -> SelectField:
    return SelectField(_l("从评分标准库选用"), validate_choice=False, default="")


def set_rubric_choices(field: SelectField) -> None:
    rows = rubric_library.listing(db.session, actor())
    field.choices = [("", _("不选用，按下方评分标准"))] + [
        (str(r.id), _("%(name)s（第 %(n)s 版，每项 0–%(scale)s 分）", name=r.name, n=r.version,
                       scale=r.scale))
        for r in rows
    ]  # fmt: skip


def rubric_body(field: SelectField, criteria_text: str | None) -> dict:
    """``rubric_id`` when one was chosen, else the typed criteria."""
    if field.data and str(field.data).isdigit():
        return {"rubric_id": int(field.data)}
    return {"criteria": rubrics.criteria_from_text(criteria_text or "")}
