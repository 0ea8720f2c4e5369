"""Administrators' small forms: a rejection with its reason, and a bare action (CSRF only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length


class RejectForm(FlaskForm):
    """One per queued demand (prefixed ``d<id>-``); CSRFProtect checks the page's token."""

    class Meta:
        csrf = False

    reason = TextAreaField(
        _l("驳回原因（将告知发布企业）"),
        validators=[InputRequired(message=_l("请填写驳回原因")), Length(max=2000)],
        render_kw={"rows": 3, "maxlength": 2000},
    )


class ActionForm(FlaskForm):
    """A button-only form: CSRF token and nothing else."""
