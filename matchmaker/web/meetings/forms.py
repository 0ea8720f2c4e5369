"""Meeting forms: they render fields and carry errors; the rules are the service's."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField

from ..common import MARKED_REQUIRED, taxonomy_choices

TIMES = [f"{h:02d}:{m:02d}" for h in range(7, 22) for m in (0, 30)]
# Service field → form field, for error messages.
ALIASES = {"starts_at": "starts_on"}


class MeetingForm(FlaskForm):
    kind = SelectField(_l("类型"), validate_choice=False, default="matchmaking")
    title = StringField(_l("对接会名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    cluster = SelectField(_l("产业集群"), validate_choice=False)
    region = SelectField(_l("区县"), validate_choice=False)
    starts_on = DateField(_l("日期"), MARKED_REQUIRED)
    starts_time = SelectField(
        _l("开始时间（北京时间）"), MARKED_REQUIRED, validate_choice=False, default="14:00"
    )
    place = StringField(_l("地点"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("说明"), render_kw={"rows": 3, "maxlength": 5000})

    def set_choices(self) -> None:
        self.cluster.choices = [("", str(_l("不限")))] + taxonomy_choices("clusters")
        self.region.choices = [("", str(_l("不限")))] + taxonomy_choices("regions")
        self.starts_time.choices = [(t, t) for t in TIMES]
        self.kind.choices = [
            ("matchmaking", str(_l("供需对接会（需求与服务方配对）"))),
            ("diagnosis", str(_l("诊断服务对接会（企业与专家分时段诊断）"))),
        ]

    @staticmethod
    def data_of(values: dict) -> dict:
        """A meeting's values (``services.meetings.meeting_input``) as this form's fields."""
        starts = values["starts_at"]
        return {**values, "starts_on": starts.date(), "starts_time": starts.strftime("%H:%M")}

    def starts_at(self) -> dt.datetime | None:
        """The chosen date and time (China time), or None when either is missing or invalid."""
        if not isinstance(self.starts_on.data, dt.date) or self.starts_time.data not in TIMES:
            return None
        hour, minute = map(int, self.starts_time.data.split(":"))
        return dt.datetime.combine(self.starts_on.data, dt.time(hour, minute))

    def body(self) -> dict:
        return {
            "kind": self.kind.data or "matchmaking",
            "title": self.title.data,
            "cluster": self.cluster.data or None,
            "region": self.region.data or None,
            "starts_at": self.starts_at(),
            "place": self.place.data,
            "description": self.description.data,
        }


class PairForm(FlaskForm):
    """Add a pair by hand. CSRFProtect checks the page's token."""

    class Meta:
        csrf = False

    demand_id = SelectField(_l("需求"), MARKED_REQUIRED, validate_choice=False)
    provider_id = SelectField(_l("服务方"), MARKED_REQUIRED, validate_choice=False)


class OutcomeForm(FlaskForm):
    """One per pair (prefixed ``p<id>-``)."""

    class Meta:
        csrf = False

    outcome = SelectField(_l("对接结果"), validate_choice=False)
    contract_value = StringField(_l("合同金额（元）"), render_kw={"inputmode": "numeric"})
    notes = StringField(_l("备注"), render_kw={"maxlength": 2000})

    def set_choices(self) -> None:
        self.outcome.choices = [("", str(_l("请选择"))), *outcome_labels().items()]


def outcome_labels() -> dict[str, str]:
    return {
        "talked": str(_l("已洽谈")),
        "follow_up": str(_l("待跟进")),
        "contract_signed": str(_l("已签约")),
        "no_show": str(_l("未到场")),
    }


def to_int(value: str | None) -> int | str | None:
    """A form's number: an int when it is one, else the raw text (the service rejects it)."""
    value = (value or "").strip().replace(",", "").replace("，", "")
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else value
