"""Survey import forms: the file upload, the commit and a bare action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField
from wtforms.validators import InputRequired


class UploadForm(FlaskForm):
    kind = RadioField(
        _l("导入内容"),
        choices=[
            ("providers", _l("设计服务方及其服务能力")),
            ("demands", _l("制造企业及其设计需求")),
        ],
        default="demands",
        validators=[InputRequired(message=_l("请选择导入内容"))],
    )
    file = FileField(
        _l("调查表文件（.xlsx 或 .csv）"),
        validators=[FileRequired(message=_l("请选择文件"))],
        render_kw={"accept": ".xlsx,.csv"},
    )


class ActionForm(FlaskForm):
    """A button-only form: CSRF token and nothing else."""


class CommitForm(FlaskForm):
    """Commit a previewed import; changes to registered organisations must be confirmed."""

    confirm_changes = BooleanField(_l("我已核对上述单位变更，确认导入"))
