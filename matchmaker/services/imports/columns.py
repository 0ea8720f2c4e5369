"""The survey sheet's columns for each kind of import: Chinese header, API field, cell type.

One table drives everything that has to agree about columns: reading a sheet (which header
is which field), reporting problems (the header the user sees), the downloadable template
and its notes sheet. Headers are Chinese because survey sheets are; the API field name
(``name``, ``external_id`` …) is accepted as a header too, for machine-made files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROVIDERS = "providers"
DEMANDS = "demands"
KINDS = (PROVIDERS, DEMANDS)

EXAMPLE_MARK = "示例"  # an 外部编号 starting with this marks the template's example row


@dataclass(frozen=True)
class Column:
    key: str  # field in the API body (or organisation field)
    header: str  # Chinese header in the sheet
    cell: str = "text"  # text | int | money | multi | bool | date | choice
    required: bool = False
    vocabulary: str | None = None  # taxonomy vocabulary whose labels the cell may hold
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()  # value → accepted spellings
    note: str = ""
    example: str = ""
    org: bool = False  # organisation field (not part of the API body)


SEVERAL = "可填多个，用顿号、逗号、分号、斜杠或换行分隔"  # the note of a cell that takes several


def _services(example: str) -> Column:
    """The design services column, alike in both files but for its example."""
    return Column(
        "services",
        "设计服务类型",
        cell="multi",
        required=True,
        vocabulary="services",
        example=example,
        note=SEVERAL,
    )


_ORG_COLUMNS = (
    Column(
        "credit_code",
        "统一社会信用代码",
        org=True,
        example="91500118MA5U3X0Q0N",
        note="18位；填写后按此代码识别同一单位，重复导入时更新而不新建",
    ),
    Column("contact_name", "联系人", org=True, example="张工", note="最多100字"),
    Column("phone", "手机号码", org=True, example="13800000000", note="中国大陆手机号，可带 +86"),
    Column("email", "电子邮箱", org=True, example="contact@example.cn"),
)

PROVIDER_COLUMNS = (
    Column(
        "external_id",
        "外部编号",
        note="调查表中的唯一编号；重复导入同一编号时更新而不新建",
        example="YC-S-0001",
    ),
    Column("name", "单位名称", required=True, example="重庆某某工业设计有限公司", note="最多200字"),
    *_ORG_COLUMNS,
    Column("kind", "单位类型", required=True, vocabulary="provider_kinds", example="工业设计企业"),
    Column(
        "level", "认定级别", vocabulary="provider_levels", example="市级", note="不填为“未认定”"
    ),
    Column("region", "所在区县", required=True, vocabulary="regions", example="永川区"),
    Column(
        "clusters",
        "服务产业集群",
        cell="multi",
        required=True,
        vocabulary="clusters",
        example="智能网联新能源汽车、摩托车",
        note=SEVERAL,
    ),
    _services(example="外观设计、结构设计"),
    Column(
        "description",
        "能力简介",
        example="长期服务汽摩企业，擅长整车造型与CMF设计",
        note="最多10000字",
    ),
    Column("team_size", "团队人数", cell="int", example="35", note="整数"),
    Column(
        "price_min", "最低报价（元）", cell="money", example="50000", note="整数（元），可写“5万”"
    ),
    Column("price_max", "最高报价（元）", cell="money", example="500000", note="不小于最低报价"),
    Column(
        "certifications",
        "资质荣誉",
        cell="multi",
        example="市级工业设计中心、红点奖",
        note="可填多个，分隔同上",
    ),
    Column(
        "verified",
        "已认证",
        cell="bool",
        example="否",
        note="是 / 否；不填则新建为未认证、更新时保持原状态",
    ),
)

DEMAND_STATUS_CHOICES = (
    ("published", ("已发布", "发布", "published")),
    ("in_review", ("待审核", "审核中", "in_review")),
    ("draft", ("草稿", "draft")),
)
CONTACT_CHOICES = (
    ("platform", ("平台", "平台内沟通", "platform")),
    ("phone", ("电话", "phone")),
    ("email", ("邮件", "电子邮件", "邮箱", "email")),
)

DEMAND_COLUMNS = (
    Column(
        "external_id",
        "外部编号",
        note="调查表中的唯一编号；重复导入同一编号时更新而不新建",
        example="YC-D-0001",
    ),
    Column(
        "organization",
        "企业名称",
        required=True,
        example="重庆某某摩托车制造有限公司",
        note="最多200字",
    ),
    *_ORG_COLUMNS,
    Column(
        "region",
        "所在区县",
        required=True,
        vocabulary="regions",
        example="永川区",
        note="需求所在区县（新建企业时也作为企业所在地）",
    ),
    Column(
        "title", "需求标题", required=True, example="250cc 休旅摩托车外观造型设计", note="最多200字"
    ),
    Column(
        "description",
        "需求描述",
        required=True,
        example="新款休旅车型，需要外观造型与CMF方案，含油泥模型",
        note="最多10000字",
    ),
    Column(
        "cluster", "产业集群", required=True, vocabulary="clusters", example="摩托车", note="填一个"
    ),
    _services(example="外观设计、CMF设计"),
    Column(
        "budget_min",
        "预算下限（元）",
        cell="money",
        example="100000",
        note="整数（元），可写“10万”",
    ),
    Column("budget_max", "预算上限（元）", cell="money", example="300000", note="不小于预算下限"),
    Column(
        "deadline",
        "截止日期",
        cell="date",
        example="2027-06-30",
        note="YYYY-MM-DD（也可用 2027/6/30）",
    ),
    Column(
        "contact_preference",
        "联系方式偏好",
        cell="choice",
        choices=CONTACT_CHOICES,
        example="平台",
        note="平台 / 电话 / 邮件；不填为“平台”",
    ),
    Column(
        "status",
        "状态",
        cell="choice",
        choices=DEMAND_STATUS_CHOICES,
        example="已发布",
        note="已发布 / 待审核 / 草稿；不填为“已发布”",
    ),
)

COLUMNS = {PROVIDERS: PROVIDER_COLUMNS, DEMANDS: DEMAND_COLUMNS}

_DECORATION = re.compile(r"[\s*＊:：]|（[^）]*必填[^）]*）|\(必填\)")


def clean_header(text: object) -> str:
    """A header as typed, minus spaces, asterisks and “（必填）” marks; brackets unified."""
    value = "" if text is None else str(text)
    value = _DECORATION.sub("", value)
    return value.replace("(", "（").replace(")", "）")


def header_lookup(kind: str) -> dict[str, Column]:
    """Cleaned header (Chinese, or the API field name) → column."""
    lookup: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        lookup[clean_header(column.header)] = column
        lookup[column.key.lower()] = column
        # money headers also without the unit: 最低报价 / 预算上限
        lookup[clean_header(column.header.split("（")[0])] = column
    return lookup


def header_of(kind: str, key: str) -> str:
    for column in COLUMNS[kind]:
        if column.key == key:
            return column.header
    return key


def guess_kind(headers: list[str]) -> str | None:
    """The kind whose headers a sheet matches best (None when nothing matches)."""
    scores = {
        kind: sum(
            1
            for h in headers
            if clean_header(h) in header_lookup(kind)
            or str(h).strip().lower() in header_lookup(kind)
        )
        for kind in KINDS
    }
    # columns both kinds share say nothing; the distinctive ones decide
    best = max(KINDS, key=lambda k: scores[k])
    return best if scores[best] and scores[PROVIDERS] != scores[DEMANDS] else None
