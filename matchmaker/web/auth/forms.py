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
from wtforms.validators import EqualTo, InputRequired, Length

from ...taxonomy import get_taxonomy


def _required():
    return InputRequired(message=_l("必填"))


def taxonomy_choices(
    vocabulary: str, locale: str, blank: str | None = None
) -> list[tuple[str, str]]:
    choices = get_taxonomy().vocabulary(vocabulary).choices(locale)
    return ([("", blank)] if blank is not None else []) + choices


def apply_field_errors(
    form: FlaskForm,
    fields: dict[str, list[str]],
    aliases: dict[str, str] | None = None,
    only_new: bool = False,
) -> None:
    """Attach service/schema errors ({field: [messages]}) to the form's fields.

    Errors for names the form does not have are attached to ``form.form_errors``. With
    ``only_new``, a field that already has an error (e.g. "required") keeps just that one.
    """
    aliases = aliases or {}
    for name, messages in fields.items():
        target = getattr(form, aliases.get(name, name), None)
        if target is None or not hasattr(target, "errors"):
            form.form_errors.extend(messages)
            continue
        if only_new and target.errors:
            continue
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        for message in messages:
            if message not in target.errors:
                target.errors.append(message)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("电子邮箱"),
        validators=[_required(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("密码"),
        validators=[_required(), Length(max=200)],
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
        validators=[_required()],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 20},
    )
    email = EmailField(
        _l("电子邮箱"),
        validators=[_required()],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    password = PasswordField(
        _l("密码"),
        validators=[_required()],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = PasswordField(
        _l("确认密码"),
        validators=[_required(), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )


class RegistrationForm(_SignUpFields):
    role = RadioField(
        _l("注册身份"),
        choices=[
            ("enterprise", _l("制造企业（发布设计需求）")),
            ("provider", _l("设计服务方（承接设计项目）")),
        ],
        default="enterprise",
        validators=[_required()],
    )
    organization_name = StringField(
        _l("单位名称"),
        validators=[_required()],
        render_kw={"autocomplete": "organization", "maxlength": 200},
    )
    credit_code = StringField(
        _l("统一社会信用代码"),
        validators=[_required()],
        render_kw={
            "maxlength": 18,
            "autocapitalize": "characters",
            "spellcheck": "false",
            "inputmode": "text",
        },
    )
    contact_name = StringField(
        _l("联系人"), validators=[_required()], render_kw={"autocomplete": "name", "maxlength": 100}
    )
    region = SelectField(_l("所在区县"), validators=[_required()])
    # provider-only: disabled (so not sent) for enterprises; RegistrationIn checks the value
    kind = SelectField(_l("服务方类型"), validate_choice=False)
    level = SelectField(_l("认定级别"), default="none", validate_choice=False)

    def __init__(self, locale: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = taxonomy_choices("regions", locale, blank=str(_l("请选择")))
        self.kind.choices = taxonomy_choices("provider_kinds", locale, blank=str(_l("请选择")))
        self.level.choices = taxonomy_choices("provider_levels", locale)

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
        _l("当前密码"), validators=[_required()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新密码"),
        validators=[
            _required(),
            Length(min=10, max=200, message=_l("长度应为 %(min)d–%(max)d 个字符")),
        ],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = PasswordField(
        _l("确认新密码"),
        validators=[_required(), EqualTo("new_password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )


class DesignerRegistrationForm(_SignUpFields):
    name = StringField(
        _l("姓名"), validators=[_required()], render_kw={"autocomplete": "name", "maxlength": 100}
    )

    def schema_data(self) -> dict:
        return {
            "name": (self.name.data or "").strip(),
            "email": (self.email.data or "").strip(),
            "phone": (self.phone.data or "").strip(),
            "password": self.password.data or "",
        }


class ColleagueForm(FlaskForm):
    name = StringField(_l("姓名"), validators=[_required()], render_kw={"maxlength": 100})
    email = EmailField(_l("电子邮箱"), validators=[_required()], render_kw={"maxlength": 254})

    def schema_data(self) -> dict:
        return {"name": (self.name.data or "").strip(), "email": (self.email.data or "").strip()}


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        _l("姓名"), validators=[_required()], render_kw={"maxlength": 100, "autocomplete": "name"}
    )
    phone = StringField(_l("手机号码（选填）"), render_kw={"inputmode": "tel", "maxlength": 20})
    password = PasswordField(
        _l("设置密码"),
        validators=[_required()],
        render_kw={"autocomplete": "new-password", "minlength": 10},
    )
    confirm = PasswordField(
        _l("确认密码"),
        validators=[_required(), EqualTo("password", message=_l("两次输入的密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )

    def schema_data(self) -> dict:
        return {
            "name": (self.name.data or "").strip(),
            "phone": (self.phone.data or "").strip() or None,
            "password": self.password.data or "",
        }
