"""Accreditation forms; the rules are ``services.accreditation.inputs`` and ``services.rubrics``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField

from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)
from ..rubric_choice import rubric_body, rubric_field, set_rubric_choices

DEFAULT_CRITERIA = "设计团队与人才 25\n设计投入与条件 20\n设计成果与效益 35\n管理制度与服务能力 20"


def number(value: str | None) -> str | int | None:
    value = blank_to_none(value)
    return int(value) if value is not None and value.isdigit() else value


class RoundForm(FlaskForm):
    title = StringField(_l("批次名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    year = StringField(_l("年度"), MARKED_REQUIRED, render_kw={"inputmode": "numeric"})
    level = SelectField(_l("认定级别"), validate_choice=False, default="district")
    criteria = TextAreaField(
        _l("评分标准（每行“名称 权重”，权重合计 100）"),
        MARKED_REQUIRED,
        default=DEFAULT_CRITERIA,
        render_kw={"rows": 6},
    )
    rubric_id = rubric_field()
    pass_mark = StringField(_l("通过线（满分 100）"), default="70")
    min_reviewers = StringField(_l("至少评审专家数"), default="2")
    valid_years = StringField(_l("有效期（年）"), default="3")
    closes_on = StringField(_l("申报截止日期"), MARKED_REQUIRED, render_kw={"type": "date"})

    def set_choices(self) -> None:
        self.level.choices = [c for c in taxonomy_choices("provider_levels") if c[0] != "none"]
        set_rubric_choices(self.rubric_id)

    def body(self) -> dict:
        return without_blanks(
            {
                "title": (self.title.data or "").strip(),
                "year": number(self.year.data),
                "level": self.level.data or "district",
                **rubric_body(self.rubric_id, self.criteria.data),
                "pass_mark": number(self.pass_mark.data),
                "min_reviewers": number(self.min_reviewers.data),
                "valid_years": number(self.valid_years.data),
                "closes_on": blank_to_none(self.closes_on.data),
            },
            ("title", "year", "closes_on", "pass_mark", "min_reviewers", "valid_years"),
        )


class ApplicationForm(FlaskForm):
    team_size = StringField(_l("设计团队人数"), render_kw={"inputmode": "numeric"})
    designers = StringField(_l("其中专职设计人员"), render_kw={"inputmode": "numeric"})
    investment = StringField(_l("年度设计投入（元）"), render_kw={"inputmode": "numeric"})
    achievements = TextAreaField(
        _l("设计成果（近三年的项目、获奖、专利、效益）"), render_kw={"rows": 6, "maxlength": 5000}
    )
    case_ids = CheckboxesField(_l("代表性案例（从本单位的案例中选择）"), validate_choice=False)
    level = SelectField(_l("证书上的认定级别"), validate_choice=False)
    certificate_no = StringField(_l("证书编号或认定文号"), render_kw={"maxlength": 100})
    valid_until = StringField(_l("证书有效期至"), render_kw={"type": "date"})
    files = MultipleFileField(_l("证明材料（PDF、图片、Word、Excel，最多 5 个）"))

    def set_choices(self, cases) -> None:
        self.case_ids.choices = [(str(c.id), c.title) for c in cases]
        self.level.choices = [
            c for c in taxonomy_choices("provider_levels") if c[0] in ("municipal", "national")
        ]

    def fill(self, values: dict) -> None:
        for name in ("team_size", "designers", "investment", "certificate_no", "valid_until"):
            value = values.get(name)
            getattr(self, name).data = "" if value is None else str(value)
        self.achievements.data = values.get("achievements") or ""
        self.case_ids.data = [str(i) for i in values.get("case_ids") or []]
        self.level.data = values.get("level") or "municipal"

    def body(self, kind: str, round_id: int | None, renewal_of_id: int | None) -> dict:
        body = {
            "kind": kind,
            "round_id": round_id,
            "renewal_of_id": renewal_of_id,
            "team_size": number(self.team_size.data),
            "designers": number(self.designers.data),
            "investment": number(self.investment.data),
            "achievements": (self.achievements.data or "").strip(),
            "case_ids": [int(i) for i in self.case_ids.data or [] if str(i).isdigit()],
        }
        if kind == "record":
            body |= {
                "level": self.level.data or None,
                "certificate_no": (self.certificate_no.data or "").strip(),
                "valid_until": blank_to_none(self.valid_until.data),
            }
        return body


class CheckForm(FlaskForm):
    missing = CheckboxesField(_l("缺少的材料"), validate_choice=False)
    note = TextAreaField(_l("给申报单位的说明"), render_kw={"rows": 3, "maxlength": 2000})

    def set_choices(self, labels: dict[str, str]) -> None:
        self.missing.choices = list(labels.items())


class DecisionForm(FlaskForm):
    reason = TextAreaField(
        _l("理由（不予认定，或低于通过线仍予认定时必填）"), render_kw={"rows": 3, "maxlength": 2000}
    )
