"""The admin's guide form; the rules are the service's (GuideIn), WTForms only collects."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ...taxonomy import get_taxonomy


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GuideForm(FlaskForm):
    kind = SelectField(_l("指南类型"), validate_choice=False, default="design")
    title = StringField(_l("标题"), [InputRequired()], render_kw={"maxlength": 200})
    period_start = DateField(_l("统计期开始"), [Optional()])
    period_end = DateField(_l("统计期结束"), [Optional()])
    clusters = CheckboxesField(_l("只包含这些产业集群（不选则为全部）"), validate_choice=False)
    commentary = TextAreaField(_l("编者按"), render_kw={"rows": 8, "maxlength": 20000})

    def set_choices(self) -> None:
        self.clusters.choices = get_taxonomy().clusters.choices(str(get_locale() or "zh"))
        self.kind.choices = [
            ("design", str(_l("工业设计供需指南"))),
            ("talent", str(_l("紧缺人才供需指南"))),
        ]

    def body(self) -> dict:
        """What the service validates (missing and malformed values are reported by the schema)."""
        data = {
            "title": (self.title.data or "").strip(),
            "clusters": list(self.clusters.data or []),
            "commentary": self.commentary.data or "",
        }
        for name in ("period_start", "period_end"):
            field = getattr(self, name)
            raw = (field.raw_data or [""])[0].strip() if field.raw_data else ""
            if field.data is not None:
                data[name] = field.data
            elif raw:
                data[name] = raw  # the schema says what is wrong with it
        return {k: v for k, v in data.items() if v != ""}


class ActionForm(FlaskForm):
    """A button-only form: the CSRF token and nothing else."""
