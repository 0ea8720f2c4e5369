"""Input and output schemas shared by the JSON API, the forms and the importer.

Pydantic models are the single source of validation: the API validates request bodies
with them, the web forms pass their data through them, and the OpenAPI document is
generated from them. Taxonomy fields accept a code, its zh/en label or an alias and are
normalised to the code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .taxonomy import UnknownLabel, get_taxonomy
from .validators import has_unsafe_characters, normalise_credit_code, normalise_mobile

MAX_MONEY = 2_000_000_000  # fits the 32-bit money columns on every database


def _code_of(vocabulary: str):
    def check(value: str) -> str:
        try:
            return get_taxonomy().vocabulary(vocabulary).normalise(value)
        except UnknownLabel as exc:
            raise PydanticCustomError(
                "unknown_code", "unknown value: {value}", {"value": value}
            ) from exc

    return check


def _credit_code(value: str) -> str:
    try:
        return normalise_credit_code(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "credit_code", "invalid unified social credit code: {value}", {"value": value}
        ) from exc


def _mobile(value: str) -> str:
    try:
        return normalise_mobile(value)
    except ValueError as exc:
        raise PydanticCustomError(
            "mobile", "invalid mobile number: {value}", {"value": value}
        ) from exc


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _vocabulary_code(vocabulary: str, description: str, example: str | None = None) -> Any:
    """A code of a taxonomy vocabulary; its label or an alias in either language is taken too
    and read as the code."""
    field = (
        Field(description=description, examples=[example])
        if example
        else Field(description=description)
    )
    return Annotated[str, AfterValidator(_code_of(vocabulary)), field]


ClusterCode = _vocabulary_code("clusters", "Cluster code, or its zh/en label or alias", "nev-ice")
ServiceCode = _vocabulary_code(
    "services", "Service code, or its zh/en label or alias", "appearance-design"
)
RegionCode = _vocabulary_code("regions", "Region code, or its zh/en label or alias", "yongchuan")
KindCode = _vocabulary_code(
    "provider_kinds", "Provider kind code, or its label or alias", "design-firm"
)
LevelCode = _vocabulary_code(
    "provider_levels", "Provider level code, or its label or alias", "municipal"
)
TitleCode = _vocabulary_code(
    "professional_titles",
    "Professional title (工业设计专业职称): none, junior, intermediate, "
    "associate-senior, senior, or its zh/en label or alias",
    "intermediate",
)
EducationCode = _vocabulary_code(
    "education_levels", "Education: secondary, college, bachelor, master, doctorate (or label)"
)
AvailabilityCode = _vocabulary_code(
    "availability", "available, open (to offers) or unavailable (or its label)"
)
CreditCode = Annotated[
    str,
    AfterValidator(_credit_code),
    Field(description="统一社会信用代码 (18 characters, GB 32100-2015 check character)"),
]
Mobile = Annotated[str, AfterValidator(_mobile), Field(description="Mainland China mobile number")]


def _not_true_or_false(value: Any) -> Any:
    """JSON true and false are not numbers, though pydantic would read them as 1 and 0."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer, not a boolean")
    return value


# A whole number from outside (an id, an amount): refuses true and false.
WholeNumber = Annotated[int, BeforeValidator(_not_true_or_false)]
Money = Annotated[WholeNumber, Field(ge=0, le=MAX_MONEY, description="Integer CNY (yuan)")]
# A row's id from outside: positive and within a 32-bit INTEGER column. A larger number names
# no row, and PostgreSQL refuses to compare one with the column (an error, not "no row").
MAX_ID = 2_147_483_647
RecordId = Annotated[WholeNumber, Field(ge=1, le=MAX_ID)]
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=10_000)]
ExternalId = Annotated[str, Field(min_length=1, max_length=100)]
Clusters = Annotated[list[ClusterCode], Field(min_length=1, max_length=16), AfterValidator(_unique)]
Services = Annotated[list[ServiceCode], Field(min_length=1, max_length=39), AfterValidator(_unique)]


# --- rules across fields ------------------------------------------------------------------
#
# Pydantic runs a model validator only once every field is valid, so a rule across fields would
# be reported a round later than the others. Each model lists its rules instead; they run as a
# model validator when the fields are valid, and ``try_validate`` also runs them on the fields
# that are valid when others are not, so that every problem comes back in one round.

# How a rule names the other field in its message (in the reader's language).
FIELD_NAMES = {
    "budget_min": _l("预算下限"),
    "price_min": _l("价格下限"),
    "period_start": _l("统计期开始日期"),
    "salary_min": _l("月薪下限"),
}


@dataclass(frozen=True)
class NotBelow:
    """``high`` is not below ``low`` (money ranges; with ``dates``, periods)."""

    low: str
    high: str
    dates: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.low, self.high)

    def problem(self, values: dict[str, Any]) -> tuple[str, PydanticCustomError] | None:
        low, high = values.get(self.low), values.get(self.high)
        if low is None or high is None or not high < low:
            return None
        kind = "not_before" if self.dates else "not_below"
        error = PydanticCustomError(kind, "must not be below {other}", {"other": self.low})
        return self.high, error


@dataclass(frozen=True)
class RequiredWhen:
    """``field`` must be given when ``when`` has the value ``equals``."""

    field: str
    when: str
    equals: Any

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field, self.when)

    def problem(self, values: dict[str, Any]) -> tuple[str, PydanticCustomError] | None:
        if values.get(self.when) == self.equals and values.get(self.field) in (None, ""):
            return self.field, PydanticCustomError("missing", "required")
        return None


def _text_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for pair in value.items() for item in pair for text in _text_in(item)]
    if isinstance(value, list | tuple | set):
        return [text for item in value for text in _text_in(item)]
    return []


class CleanText(BaseModel):
    """No text in any field (nor in lists or objects within it) holds control or bidi override
    characters (``validators.has_unsafe_characters``; NUL, which PostgreSQL cannot store, among
    them): input from forms, the API and imports. Checked before the field's own rules, so the
    message names this problem rather than, say, an unknown code."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_unsafe_characters(cls, value: Any) -> Any:
        if any(has_unsafe_characters(text) for text in _text_in(value)):
            raise PydanticCustomError("unsafe_characters", "control or bidirectional characters")
        return value


class Strict(CleanText):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    rules: ClassVar[tuple[NotBelow | RequiredWhen, ...]] = ()

    @model_validator(mode="after")
    def _rules_hold(self) -> Strict:
        problems = [p for rule in self.rules if (p := rule.problem(self.__dict__))]
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [{"type": error, "loc": (name,), "input": None} for name, error in problems],
            )
        return self


@cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter:
    info = model.model_fields[name]
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(annotation)


def _valid_value(model: type[BaseModel], name: str, data: dict) -> Any:
    """The field's value if it is valid on its own, else None."""
    info = model.model_fields[name]
    if name not in data:
        return None if info.is_required() else info.get_default(call_default_factory=True)
    try:
        return _field_adapter(model, name).validate_python(data[name])
    except ValidationError:
        return None


def _rule_problems(
    model: type[BaseModel], data: Any, failed: set[str]
) -> list[tuple[str, PydanticCustomError]]:
    """The rules' problems among fields that have none of their own."""
    rules = getattr(model, "rules", ())
    if not rules or not isinstance(data, dict):
        return []
    problems = []
    for rule in rules:
        if failed.intersection(rule.fields):
            continue
        values = {name: _valid_value(model, name, data) for name in rule.fields}
        if problem := rule.problem(values):
            problems.append(problem)
    return problems


class CaseIn(Strict):
    title: Text200
    description: Annotated[str, Field(max_length=5000)] = ""
    cluster: ClusterCode | None = None
    year: Annotated[int, Field(ge=1950, le=2100)] | None = None


class ProviderIn(Strict):
    """Body of POST /api/v1/providers."""

    name: Text200
    kind: KindCode
    level: LevelCode = "none"
    region: RegionCode
    clusters: Clusters
    services: Services
    description: Annotated[str, Field(max_length=10_000)] = ""
    team_size: Annotated[int, Field(ge=1, le=100_000)] | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    cases: Annotated[list[CaseIn], Field(max_length=100)] = []
    certifications: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=50)
    ] = []
    verified: bool = False
    external_id: ExternalId | None = None

    rules: ClassVar = (NotBelow("price_min", "price_max"),)


class OrganizationRef(Strict):
    name: Text200
    region: RegionCode = "other"


class DemandIn(Strict):
    """Body of POST /api/v1/demands."""

    title: Text200
    description: LongText
    cluster: ClusterCode
    services: Services
    budget_min: Money | None = None
    budget_max: Money | None = None
    deadline: dt.date | None = None
    region: RegionCode
    organization_id: RecordId | None = None
    organization: OrganizationRef | None = None
    contact_preference: Literal["platform", "phone", "email"] = "platform"
    status: Literal["draft", "in_review", "published"] | None = None
    external_id: ExternalId | None = None

    rules: ClassVar = (NotBelow("budget_min", "budget_max"),)


class InterestIn(Strict):
    message: Annotated[str, Field(min_length=1, max_length=2000)]
    price: Money | None = None
    timeline_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class TokenRequest(Strict):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]


class RegistrationIn(Strict):
    """What the registration form collects."""

    email: EmailStr
    password: Annotated[str, Field(min_length=10, max_length=200)]
    role: Literal["enterprise", "provider"]
    organization_name: Text200
    credit_code: CreditCode
    contact_name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: Mobile
    region: RegionCode
    kind: KindCode | None = None
    level: LevelCode = "none"

    rules: ClassVar = (RequiredWhen("kind", when="role", equals="provider"),)


class DesignerRegistrationIn(Strict):
    """What the registration form of an individual designer (人才库) collects."""

    email: EmailStr
    password: Annotated[str, Field(min_length=10, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: Mobile


# --- error messages -------------------------------------------------------------------


def _message(error: dict) -> str:
    """A short, translated message for one pydantic error."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind == "extra_forbidden":
        return _("不支持的字段")
    if kind == "unknown_code":
        return _("未知取值：%(value)s", value=ctx.get("value"))
    if kind == "past_date":
        return _("不得早于今天")
    if kind == "credit_code":
        return _("统一社会信用代码无效（应为18位且校验位正确）")
    if kind == "mobile":
        return _("手机号码无效")
    if kind == "unsafe_characters":
        return unsafe_characters_message()
    if kind in ("not_below", "not_before"):
        other = FIELD_NAMES.get(ctx.get("other"), ctx.get("other", ""))
        if kind == "not_before":
            return _("不得早于%(other)s", other=other)
        return _("不得小于%(other)s", other=other)
    if kind in ("string_too_short",):
        return _("至少 %(n)s 个字符", n=ctx.get("min_length"))
    if kind in ("string_too_long",):
        return _("最多 %(n)s 个字符", n=ctx.get("max_length"))
    if kind == "too_short":
        return _("至少选择 %(n)s 项", n=ctx.get("min_length"))
    if kind == "too_long":
        return _("最多 %(n)s 项", n=ctx.get("max_length"))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("请输入整数")
    if kind in ("greater_than_equal",):
        return _("不得小于 %(n)s", n=ctx.get("ge"))
    if kind in ("less_than_equal",):
        return _("不得大于 %(n)s", n=ctx.get("le"))
    if kind.startswith("date"):
        if "outside expected range" in str(ctx.get("error", "")):
            return _("日期不存在：%(value)s", value=error.get("input"))
        return _("日期格式应为 YYYY-MM-DD")
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return _("电子邮箱地址无效")
    if kind in ("literal_error", "enum"):
        return _("取值无效")
    if kind in ("bool_parsing", "bool_type"):
        return _("应为 true 或 false")
    if kind in ("list_type",):
        return _("应为列表")
    if kind in ("string_type",):
        return _("应为文本")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("应为对象")
    return str(error.get("msg", _("取值无效")))


def _add(fields: dict[str, list[str]], key: str, message: str) -> None:
    messages = fields.setdefault(key, [])
    if message not in messages:
        messages.append(message)


def unsafe_characters_message() -> str:
    return _("不能包含控制字符或文字方向控制字符")


def error_fields(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as {field: [messages]}; a list item's error is reported on the list."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        while loc and loc[-1].isdigit():
            loc.pop()
        # AfterValidator/union noise such as "function-after[...]" is not a field name
        loc = [p for p in loc if not p.startswith(("function-", "constrained-")) and p != "int"]
        _add(fields, ".".join(loc) or "body", _message(error))
    return fields


def try_validate(
    model: type[BaseModel], data: Any
) -> tuple[BaseModel | None, dict[str, list[str]]]:
    """The validated model, or None and every problem at once: each field's own and the
    model's rules across the fields that are valid."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        fields = error_fields(exc)
    for name, error in _rule_problems(model, data, failed={k.split(".")[0] for k in fields}):
        _add(fields, name, _message({"type": error.type, "ctx": error.context}))
    return None, fields


def validate(model: type[BaseModel], data: Any) -> BaseModel:
    """Validate or raise the service layer's ValidationFailed with per-field messages."""
    from .services.errors import ValidationFailed

    checked, problems = try_validate(model, data)
    if checked is None:
        raise ValidationFailed(_("提交的数据有误"), problems)
    return checked
