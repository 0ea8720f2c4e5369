"""Forms collect input and show errors; the rules are the schemas' (matchmaker.schemas)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from ...services.errors import ValidationFailed
from ...taxonomy import get_taxonomy

# Validators here only mark fields as required (the asterisk and the HTML attribute);
# the forms are never validated by WTForms: the schemas decide.
REQUIRED = [InputRequired()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _locale() -> str:
    return str(get_locale() or "zh")


def taxonomy_choices(vocabulary: str, blank: bool = False) -> list[tuple[str, str]]:
    choices = get_taxonomy().vocabulary(vocabulary).choices(_locale())
    return ([("", str(_l("请选择")))] if blank else []) + choices


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def without_blanks(body: dict, required: tuple[str, ...]) -> dict:
    """Leave out empty required fields, so the schema reports them as missing (必填)."""
    return {k: v for k, v in body.items() if not (k in required and v in ("", None, []))}


def show_errors(
    form: FlaskForm, exc: ValidationFailed, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's per-field messages on the form's fields; the rest on the form."""
    aliases = aliases or {}
    for name, messages in (exc.fields or {"": [exc.message]}).items():
        name = aliases.get(name, name)
        field = form._fields.get(name) if name else None
        if field is not None:
            field.errors = [*(field.errors or []), *messages]
        else:
            form.form_errors.extend(messages)


class Versioned:
    """A form that edits a versioned record carries the version it was opened with, so a save
    after someone else's is refused (services/versions.py) instead of undoing theirs."""

    version = HiddenField()

    def edited_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None


class DemandForm(Versioned, FlaskForm):
    title = StringField(_l("需求标题"), REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("需求描述"), REQUIRED, render_kw={"rows": 8})
    cluster = SelectField(_l("所属产业集群"), REQUIRED, validate_choice=False)
    services = CheckboxesField(_l("所需设计服务"), validate_choice=False)
    budget_min = StringField(_l("预算下限（元）"), render_kw={"inputmode": "numeric"})
    budget_max = StringField(_l("预算上限（元）"), render_kw={"inputmode": "numeric"})
    deadline = StringField(_l("截止日期"), render_kw={"type": "date"})
    region = SelectField(_l("所在区县"), REQUIRED, validate_choice=False)
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

    REQUIRED = ("title", "description", "cluster", "services", "region")

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
            self.REQUIRED,
        )


class InterestForm(FlaskForm):
    message = TextAreaField(_l("方案思路"), REQUIRED, render_kw={"rows": 5, "maxlength": 2000})
    price = StringField(_l("报价（元）"), render_kw={"inputmode": "numeric"})
    timeline_days = StringField(_l("工期（天）"), render_kw={"inputmode": "numeric"})

    def body(self) -> dict:
        return without_blanks(
            {
                "message": (self.message.data or "").strip(),
                "price": blank_to_none(self.price.data),
                "timeline_days": blank_to_none(self.timeline_days.data),
            },
            ("message",),
        )
