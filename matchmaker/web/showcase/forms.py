"""Showcase forms; the rules are ``services.showcase.inputs`` and ``services.rubrics``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField

from ..accreditation.forms import number
from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)
from ..rubric_choice import rubric_body, rubric_field, set_rubric_choices

DEFAULT_CRITERIA = "创新性 30\n设计品质 30\n市场成效 25\n社会与环境效益 15"


class YearForm(FlaskForm):
    year = StringField(_l("年度"), MARKED_REQUIRED, render_kw={"inputmode": "numeric"})
    title = StringField(_l("评选名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    criteria = TextAreaField(
        _l("评分标准（每行“名称 权重”，权重合计 100）"),
        MARKED_REQUIRED,
        default=DEFAULT_CRITERIA,
        render_kw={"rows": 5},
    )
    rubric_id = rubric_field()
    min_reviewers = StringField(_l("每件作品至少评审专家数"), default="2")
    closes_on = StringField(_l("征集截止日期"), MARKED_REQUIRED, render_kw={"type": "date"})

    def set_choices(self) -> None:
        set_rubric_choices(self.rubric_id)

    def body(self) -> dict:
        return without_blanks(
            {
                "year": number(self.year.data),
                "title": (self.title.data or "").strip(),
                **rubric_body(self.rubric_id, self.criteria.data),
                "min_reviewers": number(self.min_reviewers.data),
                "closes_on": blank_to_none(self.closes_on.data),
            },
            ("year", "title", "closes_on", "min_reviewers"),
        )


class EntryForm(FlaskForm):
    source = SelectField(_l("成果来源"), validate_choice=False)
    title = StringField(_l("作品名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    cluster = SelectField(_l("所属产业集群"), validate_choice=False)
    services = CheckboxesField(_l("设计服务"), validate_choice=False)
    problem = TextAreaField(_l("要解决的问题"), MARKED_REQUIRED, render_kw={"rows": 4})
    design = TextAreaField(_l("设计方案"), MARKED_REQUIRED, render_kw={"rows": 4})
    results = TextAreaField(_l("实际成效"), render_kw={"rows": 3})
    sales_change_pct = StringField(_l("销量变化（%）"), render_kw={"inputmode": "numeric"})
    cost_change_pct = StringField(_l("成本变化（%）"), render_kw={"inputmode": "numeric"})
    awards = StringField(_l("获奖情况"), render_kw={"maxlength": 500})
    before = MultipleFileField(_l("改进前的图片"))
    after = MultipleFileField(_l("改进后的图片"))

    def set_choices(self, deals, cases) -> None:
        self.source.choices = [("", str(_l("请选择")))]
        self.source.choices += [
            (f"deal:{i.id}", f"{_l('成交项目')}：{i.demand.title}") for i in deals
        ]
        self.source.choices += [(f"case:{c.id}", f"{_l('案例')}：{c.title}") for c in cases]
        self.cluster.choices = [("", str(_l("与来源相同")))] + taxonomy_choices("clusters")
        self.services.choices = taxonomy_choices("services")

    def body(self, year_id: int) -> dict:
        kind, _sep, ident = (self.source.data or "").partition(":")
        body = {
            "year_id": year_id,
            "source": kind or None,
            "title": (self.title.data or "").strip(),
            "cluster": self.cluster.data or None,
            "services": list(self.services.data or []),
            "problem": (self.problem.data or "").strip(),
            "design": (self.design.data or "").strip(),
            "results": (self.results.data or "").strip(),
            "sales_change_pct": signed(self.sales_change_pct.data),
            "cost_change_pct": signed(self.cost_change_pct.data),
            "awards": (self.awards.data or "").strip(),
        }
        if kind in ("deal", "case"):
            body["interest_id" if kind == "deal" else "case_id"] = number(ident)
        return without_blanks(body, ("source", "title", "services", "problem", "design"))


def signed(value: str | None) -> str | int | None:
    value = blank_to_none(value)
    if value is not None and value.lstrip("+-").isdigit():
        return int(value)
    return value
