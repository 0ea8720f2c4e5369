"""Account forms. WTForms renders and checks CSRF; the rules themselves live in
``matchmaker.schemas`` (pydantic) and the services, whose errors are shown per field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import EqualTo, Length

from ..common import CHECKED_REQUIRED, taxonomy_choices


def repeat_of(field: str, label: str) -> PasswordField:
    """A new password typed again: it must equal ``field``'s."""
    return PasswordField(
        label,
        validators=[*CHECKED_REQUIRED, EqualTo(field, message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("电子邮箱"),
        validators=[*CHECKED_REQUIRED, Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("密码"),
        validators=[*CHECKED_REQUIRED, Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField()
    next = HiddenField()

    def __init__(self, remember_days: int, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.remember.label.text = _l("保持登录（%(days)s 天）", days=remember_days)


class _SignUpFields(FlaskForm):
    """The person's own contact and password fields, shared by both ways of signing up."""

    phone = StringField(
        _l("手机号码"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 20},
    )
    email = EmailField(
        _l("电子邮箱"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    password = PasswordField(
        _l("密码"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = repeat_of("password", _l("确认密码"))


class RegistrationForm(_SignUpFields):
    role = RadioField(
        _l("注册身份"),
        choices=[
            ("enterprise", _l("制造企业（发布设计需求）")),
            ("provider", _l("设计服务方（承接设计项目）")),
        ],
        default="enterprise",
        validators=CHECKED_REQUIRED,
    )
    organization_name = StringField(
        _l("单位名称"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "organization", "maxlength": 200},
    )
    credit_code = StringField(
        _l("统一社会信用代码"),
        validators=CHECKED_REQUIRED,
        render_kw={
            "maxlength": 18,
            "autocapitalize": "characters",
            "spellcheck": "false",
            "inputmode": "text",
        },
    )
    contact_name = StringField(
        _l("联系人"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "name", "maxlength": 100},
    )
    region = SelectField(_l("所在区县"), validators=CHECKED_REQUIRED)
    # provider-only: disabled (so not sent) for enterprises; RegistrationIn checks the value
    kind = SelectField(_l("服务方类型"), validate_choice=False)
    level = SelectField(_l("认定级别"), default="none", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = taxonomy_choices("regions", blank=True)
        self.kind.choices = taxonomy_choices("provider_kinds", blank=True)
        self.level.choices = taxonomy_choices("provider_levels")

    def schema_data(self) -> dict:
        """The fields RegistrationIn takes (provider-only fields only for providers)."""
        data = {
            name: (getattr(self, name).data or "").strip()
            for name in (
                "email",
                "role",
                "organization_name",
                "credit_code",
                "contact_name",
                "phone",
                "region",
            )
        }
        data["password"] = self.password.data or ""
        if data["role"] == "provider":
            data["kind"] = self.kind.data or None
            data["level"] = self.level.data or "none"
        return data


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("当前密码"), validators=CHECKED_REQUIRED, render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新密码"),
        validators=[
            *CHECKED_REQUIRED,
            Length(min=10, max=200, message=_l("长度应为 %(min)d–%(max)d 个字符")),
        ],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = repeat_of("new_password", _l("确认新密码"))


class DesignerRegistrationForm(_SignUpFields):
    name = StringField(
        _l("姓名"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "name", "maxlength": 100},
    )

    def schema_data(self) -> dict:
        return {
            "name": (self.name.data or "").strip(),
            "email": (self.email.data or "").strip(),
            "phone": (self.phone.data or "").strip(),
            "password": self.password.data or "",
        }


class ColleagueForm(FlaskForm):
    name = StringField(_l("姓名"), validators=CHECKED_REQUIRED, render_kw={"maxlength": 100})
    email = EmailField(_l("电子邮箱"), validators=CHECKED_REQUIRED, render_kw={"maxlength": 254})

    def schema_data(self) -> dict:
        return {"name": (self.name.data or "").strip(), "email": (self.email.data or "").strip()}


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("姓名"),
        validators=CHECKED_REQUIRED,
        render_kw={"maxlength": 100, "autocomplete": "name"},
    )
    phone = StringField(_l("手机号码（选填）"), render_kw={"inputmode": "tel", "maxlength": 20})
    password = PasswordField(
        _l("设置密码"),
        validators=CHECKED_REQUIRED,
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = repeat_of("password", _l("确认密码"))

    def schema_data(self) -> dict:
        return {
            "name": (self.name.data or "").strip(),
            "phone": (self.phone.data or "").strip() or None,
            "password": self.password.data or "",
        }
