"""The statistics page's filter (period, cluster, district), sent by GET."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField

from ..common import taxonomy_choices


class FilterForm(FlaskForm):
    """GET filters: no CSRF token (reading changes nothing)."""

    class Meta:
        csrf = False

    start = DateField(_l("开始日期"))
    end = DateField(_l("结束日期"))
    cluster = SelectField(_l("产业集群"), validate_choice=False)
    region = SelectField(_l("区县"), validate_choice=False)

    def set_choices(self) -> None:
        self.cluster.choices = [("", str(_l("全部")))] + taxonomy_choices("clusters")
        self.region.choices = [("", str(_l("全部")))] + taxonomy_choices("regions")
