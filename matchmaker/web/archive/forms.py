"""The archive's filters: a GET form (no CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Optional

from ...labels import DEMAND_STATUS
from ...models import DemandStatus
from ..common import taxonomy_choices


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    verified = BooleanField(_l("仅已认证单位"))
    status = SelectField(_l("需求状态"), validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("单位类型"), validators=[Optional()], validate_choice=False)
    since = DateField(_l("创建日期从"), validators=[Optional()], format="%Y-%m-%d")
    until = DateField(_l("至"), validators=[Optional()], format="%Y-%m-%d")

    def fill_choices(self) -> None:
        self.status.choices = [("", _l("全部状态"))] + [
            (s, DEMAND_STATUS[s]) for s in DemandStatus.ALL
        ]
        self.kind.choices = taxonomy_choices("provider_kinds", blank=str(_l("全部类型")))
