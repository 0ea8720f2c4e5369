"""The platform's figures, each defined once: its name, what it counts, and how.

The home page, the admin overview, the guide and the statistics show some of the same figures;
they take the name and the definition from here (the pages show the definition as a tooltip),
so that one name never means two counts. The live counts below follow the same definitions
as the guide's snapshot (open demands) and the statistics' funnel (successful matches), which
a test holds them to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..models import (
    CloseReason,
    Demand,
    DemandStatus,
    Interest,
    InterestStatus,
    MeetingPair,
    Organization,
    OrgType,
    Provider,
)
from .meetings import Outcome


@dataclass(frozen=True)
class Figure:
    name: str
    definition: str


FIGURES = {
    "providers": Figure(
        _l("设计服务方"),
        _l("在平台建立了服务能力档案的设计服务方（工业设计企业、研究院、高校等）。"),
    ),
    "verified_providers": Figure(
        _l("已认证服务方"),
        _l("经平台管理员核对统一社会信用代码后认证的设计服务方。"),
    ),
    "enterprises": Figure(_l("制造企业"), _l("在平台注册的制造企业。")),
    "open_demands": Figure(
        _l("开放需求"), _l("已审核发布、尚未关闭的设计需求，包括已进入洽谈的需求。")
    ),
    "accepted_interests": Figure(
        _l("意向被接受"), _l("需求方接受了服务方合作意向的“需求–服务方”配对。")
    ),
    "deals": Figure(
        _l("成功对接"),
        _l(
            "达成合作的“需求–服务方”配对：对接会上签约的配对，"
            "加上企业标记为已成交、且没有会上签约记录的需求。"
        ),
    ),
    # the statistics' figures for a period
    "demands_published": Figure(
        _l("新发布需求"),
        _l("首次审核发布的时间在所选区间内的需求；修改后重新发布不重复计算。"),
    ),
    "providers_created": Figure(
        _l("新增服务方"),
        _l("服务能力档案在所选区间内建立的设计服务方；按产业集群统计时，跨集群的服务方分别计入。"),
    ),
    "median_first_interest": Figure(
        _l("首次意向中位时长"),
        _l(
            "区间内首次发布的需求，从发布到收到第一个合作意向的小时数的中位数；"
            "尚无意向的需求单独列出。"
        ),
    ),
    "qualified_interests": Figure(
        _l("7 天内 ≥3 个合格意向"),
        _l(
            "发布满 7 天的需求中，7 天内收到至少 3 家合格服务方意向的比例。合格：服务方的服务能力"
            "档案包含该需求的产业集群，且未在 7 天内撤回；同一服务方只计一次。"
        ),
    ),
    "success_rate": Figure(
        _l("对接成功率"), _l("区间内关闭的需求中，成功 ÷（成功 + 撤回 + 过期）。")
    ),
    "exposure": Figure(
        _l("推荐曝光"),
        _l(
            "服务方首次作为某需求的推荐结果展示（含对接会邀请）；统计区间结束前已入驻的服务方"
            "均计入，未获推荐记为 0。"
        ),
    ),
    # the guide's, for its period and clusters
    "new_demands": Figure(_l("本期新发布需求"), _l("统计期内发布、目前仍开放的需求。")),
    "shortages": Figure(
        _l("供给缺口"),
        _l("开放需求多、已认证服务方少的产业集群与服务类型个数（判定规则见“供需缺口”）。"),
    ),
    "surpluses": Figure(
        _l("需求不足"),
        _l("已认证服务方多、开放需求少的产业集群与服务类型个数（判定规则见“供需缺口”）。"),
    ),
}


def _open_demands():
    """The guide's snapshot counts the same rows (``snapshot.build``)."""
    return select(func.count(Demand.id)).where(Demand.status.in_(DemandStatus.OPEN))


def _deals():
    """Pairs signed at a meeting, plus demands closed as won without such a signature."""
    signed = MeetingPair.outcome == Outcome.CONTRACT_SIGNED
    pairs = select(MeetingPair.demand_id, MeetingPair.provider_id).where(signed).distinct()
    won_elsewhere = select(func.count(Demand.id)).where(
        Demand.status == DemandStatus.CLOSED,
        Demand.close_reason == CloseReason.WON,
        Demand.id.not_in(select(MeetingPair.demand_id).where(signed)),
    )
    return select(
        select(func.count()).select_from(pairs.subquery()).scalar_subquery()
        + won_elsewhere.scalar_subquery()
    )


@cache
def _live_statement() -> Select:
    """Built once per process: SQLAlchemy then reuses its cache key and compiled form."""
    counts = {
        "providers": select(func.count(Provider.id)),
        "verified_providers": select(func.count(Provider.id))
        .join(Provider.organization)
        .where(Organization.verified.is_(True)),
        "enterprises": select(func.count(Organization.id)).where(
            Organization.type == OrgType.ENTERPRISE
        ),
        "open_demands": _open_demands(),
        "accepted_interests": select(func.count(Interest.id)).where(
            Interest.status == InterestStatus.ACCEPTED
        ),
        "deals": _deals(),
    }
    return select(*(query.scalar_subquery().label(name) for name, query in counts.items()))


def live(session: Session) -> dict[str, int]:
    """The figures as they stand now (home page, admin overview), in one statement: the home
    page is the most visited page."""
    row = session.execute(_live_statement()).one()
    return {name: value or 0 for name, value in row._mapping.items()}
