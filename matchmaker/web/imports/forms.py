from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField
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
