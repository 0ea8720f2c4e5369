"""Expert pool forms; the rules are ``services.experts``' schemas."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField

from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)


class ExpertForm(FlaskForm):
    name = StringField(_l("姓名"), MARKED_REQUIRED, render_kw={"maxlength": 100})
    title = StringField(_l("职务或职称"), render_kw={"maxlength": 100})
    affiliation = StringField(_l("工作单位"), render_kw={"maxlength": 200})
    clusters = CheckboxesField(_l("擅长的产业集群"), validate_choice=False)
    services = CheckboxesField(_l("擅长的设计服务"), validate_choice=False)
    professional_title = SelectField(_l("工业设计专业职称"), validate_choice=False)
    years_experience = StringField(_l("从业年限"), render_kw={"inputmode": "numeric"})
    region = SelectField(_l("所在区县"), validate_choice=False)
    bio = TextAreaField(_l("专家简介"), render_kw={"rows": 5, "maxlength": 5000})

    REQUIRED_FIELDS = ("name", "clusters", "services")

    def set_choices(self) -> None:
        self.clusters.choices = taxonomy_choices("clusters")
        self.services.choices = taxonomy_choices("services")
        self.professional_title.choices = taxonomy_choices("professional_titles")
        self.region.choices = taxonomy_choices("regions")

    def fill(self, data: dict) -> None:
        for name, value in data.items():
            if name in self._fields:
                self[name].data = value if value is not None else ""

    def body(self) -> dict:
        return without_blanks(
            {
                "name": (self.name.data or "").strip(),
                "title": (self.title.data or "").strip(),
                "affiliation": (self.affiliation.data or "").strip(),
                "clusters": list(self.clusters.data or []),
                "services": list(self.services.data or []),
                "professional_title": self.professional_title.data or "none",
                "years_experience": blank_to_none(self.years_experience.data) or 0,
                "region": self.region.data or "other",
                "bio": (self.bio.data or "").strip(),
            },
            self.REQUIRED_FIELDS,
        )


class NewExpertForm(ExpertForm):
    email = StringField(_l("电子邮箱（登录账号）"), MARKED_REQUIRED, render_kw={"type": "email"})
    password = PasswordField(
        _l("初始密码"), MARKED_REQUIRED, render_kw={"autocomplete": "new-password"}
    )
    phone = StringField(_l("手机号码"), render_kw={"inputmode": "tel"})

    REQUIRED_FIELDS = (*ExpertForm.REQUIRED_FIELDS, "email", "password")

    def body(self) -> dict:
        extra = {
            "email": (self.email.data or "").strip(),
            "password": self.password.data or "",
            "phone": blank_to_none(self.phone.data),
        }
        return without_blanks({**super().body(), **extra}, self.REQUIRED_FIELDS)


class ConflictForm(FlaskForm):
    organization = StringField(_l("单位全称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    relation = SelectField(_l("关系"), validate_choice=False)
    note = StringField(_l("说明"), render_kw={"maxlength": 200})

    def set_choices(self) -> None:
        self.relation.choices = [
            ("employer", str(_l("任职单位"))),
            ("client", str(_l("服务过的客户"))),
            ("partner", str(_l("合作伙伴"))),
            ("other", str(_l("其他关系"))),
        ]
