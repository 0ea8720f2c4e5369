"""Diagnostic visit forms; the rules are ``services.diagnosis.inputs``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField

from ...services.diagnosis.inputs import MAX_RECOMMENDATIONS
from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)

# A new report offers three rows; one being edited, its own rows and two blank ones.
FIRST_ROWS, BLANK_ROWS = 3, 2


class RequestForm(FlaskForm):
    organization = StringField(_l("企业全称"), render_kw={"maxlength": 200})  # administrators
    product_line = StringField(
        _l("需要诊断的产品线"), MARKED_REQUIRED, render_kw={"maxlength": 200}
    )
    problems = TextAreaField(_l("存在的问题"), MARKED_REQUIRED, render_kw={"rows": 5})
    cluster = SelectField(_l("所属产业集群"), MARKED_REQUIRED, validate_choice=False)
    services = CheckboxesField(_l("可能需要的设计服务（选填）"), validate_choice=False)
    date_1 = StringField(_l("希望上门日期"), render_kw={"type": "date"})
    date_2 = StringField(_l("备选日期一"), render_kw={"type": "date"})
    date_3 = StringField(_l("备选日期二"), render_kw={"type": "date"})

    def set_choices(self) -> None:
        self.cluster.choices = taxonomy_choices("clusters", blank=True)
        self.services.choices = taxonomy_choices("services")

    def body(self, organization_id: int | None) -> dict:
        dates = [d for d in (self.date_1.data, self.date_2.data, self.date_3.data) if d]
        body = {
            "product_line": (self.product_line.data or "").strip(),
            "problems": (self.problems.data or "").strip(),
            "cluster": self.cluster.data or "",
            "services": list(self.services.data or []),
            "preferred_dates": dates,
        }
        if organization_id is not None:
            body["organization_id"] = organization_id
        return without_blanks(body, ("product_line", "problems", "cluster"))


class VisitForm(FlaskForm):
    visit_at = StringField(_l("上门时间"), MARKED_REQUIRED, render_kw={"type": "datetime-local"})
    place = StringField(_l("地点"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    note = TextAreaField(_l("注意事项"), render_kw={"rows": 3, "maxlength": 2000})

    def body(self) -> dict:
        return without_blanks(
            {
                "visit_at": (self.visit_at.data or "").strip(),
                "place": (self.place.data or "").strip(),
                "note": (self.note.data or "").strip(),
            },
            ("visit_at", "place"),
        )


class RecommendationForm(Form):
    service = SelectField(_l("设计服务"), validate_choice=False)
    title = StringField(_l("建议"), render_kw={"maxlength": 200})
    description = TextAreaField(_l("说明"), render_kw={"rows": 2, "maxlength": 5000})
    priority = SelectField(_l("优先级"), validate_choice=False, default="medium")
    budget_min = StringField(_l("预算下限（元）"), render_kw={"inputmode": "numeric"})
    budget_max = StringField(_l("预算上限（元）"), render_kw={"inputmode": "numeric"})

    def is_blank(self) -> bool:
        return not (self.title.data or "").strip() and not (self.description.data or "").strip()

    def body(self) -> dict:
        return without_blanks(
            {
                "service": self.service.data or "",
                "title": (self.title.data or "").strip(),
                "description": (self.description.data or "").strip(),
                "priority": self.priority.data or "medium",
                "budget_min": blank_to_none(self.budget_min.data),
                "budget_max": blank_to_none(self.budget_max.data),
            },
            ("service", "title"),
        )


class ReportForm(FlaskForm):
    summary = TextAreaField(
        _l("诊断结论"), MARKED_REQUIRED, render_kw={"rows": 3, "maxlength": 5000}
    )
    findings = TextAreaField(_l("发现的问题"), MARKED_REQUIRED, render_kw={"rows": 6})
    recommendations = FieldList(FormField(RecommendationForm), min_entries=FIRST_ROWS)

    def set_choices(self) -> None:
        priorities = [
            ("high", str(_l("高"))),
            ("medium", str(_l("中"))),
            ("low", str(_l("低"))),
        ]
        for row in self.recommendations:
            row.form.service.choices = taxonomy_choices("services", blank=True)
            row.form.priority.choices = priorities

    def add_rows(self, count: int) -> None:
        """Room to write more, up to what a report may hold (a new row's choices come later)."""
        while count > 0 and len(self.recommendations) < MAX_RECOMMENDATIONS:
            self.recommendations.append_entry()
            count -= 1

    def can_add_rows(self) -> bool:
        return len(self.recommendations) < MAX_RECOMMENDATIONS

    def fill(self, report) -> None:
        """Every saved recommendation gets its row (none is dropped on the next save)."""
        self.summary.data, self.findings.data = report.summary, report.findings
        wanted = max(FIRST_ROWS, len(report.recommendations) + BLANK_ROWS)
        self.add_rows(wanted - len(self.recommendations))
        for row, rec in zip(self.recommendations, report.recommendations, strict=False):
            row.form.service.data, row.form.title.data = rec.service, rec.title
            row.form.description.data, row.form.priority.data = rec.description, rec.priority
            row.form.budget_min.data = "" if rec.budget_min is None else str(rec.budget_min)
            row.form.budget_max.data = "" if rec.budget_max is None else str(rec.budget_max)

    def rows(self) -> list:
        """The recommendation rows that were filled in (blank rows are not recommendations)."""
        return [row for row in self.recommendations if not row.form.is_blank()]

    def body(self, submit: bool) -> dict:
        return {
            "summary": (self.summary.data or "").strip(),
            "findings": (self.findings.data or "").strip(),
            "recommendations": [row.form.body() for row in self.rows()],
            "submit": submit,
        }
