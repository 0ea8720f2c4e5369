"""Forms collect input and show errors; the rules are the schemas' (matchmaker.schemas)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    Versioned,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)


class DemandForm(Versioned, FlaskForm):
    title = StringField(_l("需求标题"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("需求描述"), MARKED_REQUIRED, render_kw={"rows": 8})
    cluster = SelectField(_l("所属产业集群"), MARKED_REQUIRED, validate_choice=False)
    services = CheckboxesField(_l("所需设计服务"), validate_choice=False)
    budget_min = StringField(_l("预算下限（元）"), render_kw={"inputmode": "numeric"})
    budget_max = StringField(_l("预算上限（元）"), render_kw={"inputmode": "numeric"})
    deadline = StringField(_l("截止日期"), render_kw={"type": "date"})
    region = SelectField(_l("所在区县"), MARKED_REQUIRED, validate_choice=False)
    contact_preference = RadioField(_l("联系方式偏好"), validate_choice=False, default="platform")
    attachments = MultipleFileField(
        _l("附件"), render_kw={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.zip"}
    )
    keep_contacts = BooleanField(_l("我确认保留这些联系方式并提交（审核员会看到标记）"))
    contact_flags: dict = {}  # set when a submission found contact details (demand_rules)

    def set_choices(self) -> None:
        self.cluster.choices = taxonomy_choices("clusters", blank=True)
        self.services.choices = taxonomy_choices("services")
        self.region.choices = taxonomy_choices("regions", blank=True)
        self.contact_preference.choices = [
            ("platform", str(_l("平台站内沟通"))),
            ("phone", str(_l("电话"))),
            ("email", str(_l("电子邮件"))),
        ]

    REQUIRED_FIELDS = ("title", "description", "cluster", "services", "region")

    def body(self) -> dict:
        """The form's data in the shape of DemandIn."""
        return without_blanks(
            {
                "title": self.title.data or "",
                "description": self.description.data or "",
                "cluster": self.cluster.data or "",
                "services": list(self.services.data or []),
                "budget_min": blank_to_none(self.budget_min.data),
                "budget_max": blank_to_none(self.budget_max.data),
                "deadline": blank_to_none(self.deadline.data),
                "region": self.region.data or "",
                "contact_preference": self.contact_preference.data or "platform",
            },
            self.REQUIRED_FIELDS,
        )
