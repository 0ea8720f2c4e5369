"""The rubric library's pages: administrators list the rubrics with their versions and where
they are used, define one, and revise one (in place, or as its next version once scored)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ...extensions import db
from ...services import rubric_library, rubrics
from ...services.errors import ValidationFailed
from ...transaction import unit_of_work
from ..accreditation.forms import DEFAULT_CRITERIA, number
from ..common import MARKED_REQUIRED, actor, show_errors

bp = Blueprint("rubrics", __name__)


class RubricForm(FlaskForm):
    name = StringField(_l("名称"), MARKED_REQUIRED, render_kw={"maxlength": 120})
    scale = StringField(_l("每项满分"), default="10", render_kw={"inputmode": "numeric"})
    criteria = TextAreaField(
        _l("评分标准（每行“名称 权重”，权重合计 100）"),
        MARKED_REQUIRED,
        default=DEFAULT_CRITERIA,
        render_kw={"rows": 6},
    )

    def body(self) -> dict:
        return {
            "name": (self.name.data or "").strip(),
            "scale": number(self.scale.data) or rubrics.SCALE,
            "criteria": rubrics.criteria_from_text(self.criteria.data or ""),
        }


def _admin() -> None:
    if not current_user.is_admin:
        abort(403)


@bp.get("/rubrics")
@login_required
def index():
    _admin()
    rows = [
        (
            rubric,
            rubric_library.versions(db.session, rubric),
            rubric_library.selections_using(db.session, rubric),
            rubric_library.has_scores(db.session, rubric),
        )
        for rubric in rubric_library.listing(db.session, actor())
    ]
    return render_template("rubrics/index.html", rows=rows)


def _saved(form: RubricForm, write) -> tuple[int, int] | None:
    """(id, version) of the rubric ``write(form)`` saved, or None with the form's errors."""
    try:
        with unit_of_work():
            rubric = write(form)
            return rubric.id, rubric.version
    except ValidationFailed as exc:
        show_errors(form, exc)
        return None


@bp.route("/rubrics/new", methods=["GET", "POST"])
@login_required
def new():
    _admin()
    form = RubricForm()
    if request.method == "POST":
        if _saved(form, lambda f: rubric_library.create(db.session, actor(), f.body())):
            flash(_("评分标准已保存，发布认定批次或好设计评选时可以选用"), "success")
            return redirect(url_for(".index"))
        return render_template("rubrics/form.html", form=form, rubric=None), 422
    return render_template("rubrics/form.html", form=form, rubric=None)


@bp.route("/rubrics/<int:rubric_id>/edit", methods=["GET", "POST"])
@login_required
def edit(rubric_id: int):
    _admin()
    rubric = rubric_library.get(db.session, actor(), rubric_id)
    args = {"rubric": rubric, "scored": rubric_library.has_scores(db.session, rubric)}
    form = RubricForm(
        formdata=request.form if request.method == "POST" else None,
        data={
            "name": rubric.name,
            "scale": str(rubric.scale),
            "criteria": rubrics.criteria_as_text(rubric.criteria),
        },
    )
    if request.method == "GET":
        return render_template("rubrics/form.html", form=form, **args)
    saved = _saved(form, lambda f: rubric_library.revise(db.session, actor(), rubric_id, f.body()))
    if saved is None:
        return render_template("rubrics/form.html", form=form, **args), 422
    new_id, version = saved
    if new_id != rubric_id:
        flash(_("已有评分的批次保留原版本；修改已另存为第 %(n)s 版", n=version), "success")
    else:
        flash(_("评分标准已修改，使用它的批次（尚无评分）随之更新"), "success")
    return redirect(url_for(".index"))
