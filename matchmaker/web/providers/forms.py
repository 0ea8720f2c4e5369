"""Provider profile and portfolio case forms; the rules are ProviderIn's and CaseIn's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField

from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    Versioned,
    WorkFields,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)


class ProviderForm(Versioned, FlaskForm):
    kind = SelectField(_l("机构类型"), MARKED_REQUIRED, validate_choice=False)
    level = SelectField(_l("认定级别"), validate_choice=False)
    region = SelectField(_l("所在区县"), MARKED_REQUIRED, validate_choice=False)
    clusters = CheckboxesField(_l("服务的产业集群"), validate_choice=False)
    services = CheckboxesField(_l("提供的设计服务"), validate_choice=False)
    team_size = StringField(_l("团队人数"), render_kw={"inputmode": "numeric"})
    price_min = StringField(_l("报价下限（元）"), render_kw={"inputmode": "numeric"})
    price_max = StringField(_l("报价上限（元）"), render_kw={"inputmode": "numeric"})
    description = TextAreaField(_l("机构介绍"), render_kw={"rows": 8, "maxlength": 10000})
    certifications = TextAreaField(_l("资质与荣誉"), render_kw={"rows": 4})

    REQUIRED_FIELDS = ("kind", "region", "clusters", "services")

    def set_choices(self) -> None:
        self.kind.choices = taxonomy_choices("provider_kinds", blank=True)
        self.level.choices = taxonomy_choices("provider_levels")
        self.region.choices = taxonomy_choices("regions", blank=True)
        self.clusters.choices = taxonomy_choices("clusters")
        self.services.choices = taxonomy_choices("services")

    def fill(self, profile: dict) -> None:
        """Show a stored profile (ProviderIn's shape) in the form."""
        for name in (
            "kind",
            "level",
            "region",
            "clusters",
            "services",
            "team_size",
            "price_min",
            "price_max",
            "description",
        ):
            value = profile.get(name)
            self[name].data = value if value is not None else ""
        self.certifications.data = "\n".join(profile.get("certifications") or [])

    def body(self) -> dict:
        lines = [line.strip() for line in (self.certifications.data or "").splitlines()]
        return without_blanks(
            {
                "kind": self.kind.data or "",
                "level": self.level.data or "none",
                "region": self.region.data or "",
                "clusters": list(self.clusters.data or []),
                "services": list(self.services.data or []),
                "team_size": blank_to_none(self.team_size.data),
                "price_min": blank_to_none(self.price_min.data),
                "price_max": blank_to_none(self.price_max.data),
                "description": (self.description.data or "").strip(),
                "certifications": [line for line in lines if line],
            },
            self.REQUIRED_FIELDS,
        )


class CaseForm(WorkFields, FlaskForm):
    title = StringField(_l("案例名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("案例介绍"), render_kw={"rows": 6, "maxlength": 5000})
    cluster = SelectField(_l("所属产业集群"), validate_choice=False)
    year = StringField(_l("年份"), render_kw={"inputmode": "numeric", "maxlength": 4})
    images = MultipleFileField(_l("案例图片"), render_kw={"accept": ".png,.jpg,.jpeg,.webp"})
