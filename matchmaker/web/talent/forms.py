"""Talent pool forms; the rules are the services' schemas (``services.talent.inputs``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from ..common import (
    MARKED_REQUIRED,
    CheckboxesField,
    WorkFields,
    blank_to_none,
    taxonomy_choices,
    without_blanks,
)


class TalentProfileForm(FlaskForm):
    specialities = CheckboxesField(_l("专长（设计服务）"), validate_choice=False)
    clusters = CheckboxesField(_l("熟悉的产业集群"), validate_choice=False)
    years_experience = StringField(
        _l("从业年限"), render_kw={"inputmode": "numeric", "maxlength": 2}
    )
    professional_title = SelectField(_l("工业设计专业职称"), validate_choice=False)
    education = SelectField(_l("最高学历"), validate_choice=False)
    region = SelectField(_l("所在区县"), MARKED_REQUIRED, validate_choice=False)
    employer = StringField(_l("工作单位（选填）"), render_kw={"maxlength": 200})
    bio = TextAreaField(_l("个人简介"), render_kw={"rows": 6, "maxlength": 5000})
    availability = RadioField(_l("求职状态"), validate_choice=False, default="open")
    listed = BooleanField(_l("在人才库中展示我的匿名名片，并接受岗位推荐"), default=True)

    REQUIRED_FIELDS = ("specialities", "clusters", "region")

    def set_choices(self) -> None:
        self.specialities.choices = taxonomy_choices("services")
        self.clusters.choices = taxonomy_choices("clusters")
        self.professional_title.choices = taxonomy_choices("professional_titles")
        self.education.choices = [("", str(_l("不填")))] + taxonomy_choices("education_levels")
        self.region.choices = taxonomy_choices("regions", blank=True)
        self.availability.choices = taxonomy_choices("availability")

    def fill(self, profile: dict, employer: str) -> None:
        for name in (
            "specialities",
            "clusters",
            "years_experience",
            "professional_title",
            "education",
            "region",
            "bio",
            "availability",
            "listed",
        ):
            value = profile.get(name)
            self[name].data = value if value is not None else ""
        self.employer.data = employer

    def body(self, employer_id: int | None) -> dict:
        return without_blanks(
            {
                "specialities": list(self.specialities.data or []),
                "clusters": list(self.clusters.data or []),
                "years_experience": blank_to_none(self.years_experience.data) or 0,
                "professional_title": self.professional_title.data or "none",
                "education": blank_to_none(self.education.data),
                "region": self.region.data or "",
                "employer_id": employer_id,
                "bio": (self.bio.data or "").strip(),
                "availability": self.availability.data or "open",
                "listed": bool(self.listed.data),
            },
            self.REQUIRED_FIELDS,
        )


class TalentWorkForm(WorkFields, FlaskForm):
    title = StringField(_l("作品名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("作品说明"), render_kw={"rows": 4, "maxlength": 5000})
    cluster = SelectField(_l("所属产业集群"), validate_choice=False)
    year = StringField(_l("年份"), render_kw={"inputmode": "numeric", "maxlength": 4})


class TalentNeedForm(FlaskForm):
    title = StringField(_l("岗位名称"), MARKED_REQUIRED, render_kw={"maxlength": 200})
    description = TextAreaField(_l("岗位职责与要求"), MARKED_REQUIRED, render_kw={"rows": 6})
    specialities = CheckboxesField(_l("所需专长"), validate_choice=False)
    clusters = CheckboxesField(_l("所属产业集群"), validate_choice=False)
    min_title = SelectField(_l("职称要求"), validate_choice=False)
    min_years = StringField(_l("最低从业年限"), render_kw={"inputmode": "numeric"})
    headcount = StringField(_l("招聘人数"), MARKED_REQUIRED, render_kw={"inputmode": "numeric"})
    region = SelectField(_l("工作地点"), MARKED_REQUIRED, validate_choice=False)
    salary_min = StringField(_l("月薪下限（元）"), render_kw={"inputmode": "numeric"})
    salary_max = StringField(_l("月薪上限（元）"), render_kw={"inputmode": "numeric"})

    REQUIRED_FIELDS = ("title", "description", "specialities", "clusters", "region", "headcount")

    def set_choices(self) -> None:
        self.specialities.choices = taxonomy_choices("services")
        self.clusters.choices = taxonomy_choices("clusters")
        self.min_title.choices = taxonomy_choices("professional_titles")
        self.region.choices = taxonomy_choices("regions", blank=True)

    def fill(self, need: dict) -> None:
        for name in self._fields:
            if name in need:
                value = need[name]
                self[name].data = value if value is not None else ""

    def body(self) -> dict:
        return without_blanks(
            {
                "title": (self.title.data or "").strip(),
                "description": (self.description.data or "").strip(),
                "specialities": list(self.specialities.data or []),
                "clusters": list(self.clusters.data or []),
                "min_title": self.min_title.data or "none",
                "min_years": blank_to_none(self.min_years.data) or 0,
                "headcount": blank_to_none(self.headcount.data),
                "region": self.region.data or "",
                "salary_min": blank_to_none(self.salary_min.data),
                "salary_max": blank_to_none(self.salary_max.data),
            },
            self.REQUIRED_FIELDS,
        )


class ContactForm(FlaskForm):
    need_id = SelectField(_l("就哪个岗位联系"), MARKED_REQUIRED, validate_choice=False)
    message = TextAreaField(_l("留言"), MARKED_REQUIRED, render_kw={"rows": 4, "maxlength": 2000})

    def body(self) -> dict:
        return without_blanks(
            {
                "need_id": blank_to_none(self.need_id.data),
                "message": (self.message.data or "").strip(),
            },
            ("need_id", "message"),
        )
