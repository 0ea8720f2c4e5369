"""A provider's dashboard: what waits for it, where its interests stand, and what its profile
lacks to rank well.

"What is missing" follows what the matcher reads (``search/scoring.py``): services and
clusters ticked, a description with substance, portfolio cases (with the cluster set, and
images for people), certifications, and the verified badge; a price range and team size let
the budget and capacity signals fire.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import DemandStatus, Interest, InterestStatus, Invitation, Provider, User
from .access import own_provider
from .conversations import unread_counts

GOOD_DESCRIPTION = 80  # characters: enough to say what the provider does and for whom
GOOD_CASES = 3


@dataclass(frozen=True)
class Gap:
    code: str
    advice: str


@dataclass
class Completeness:
    gaps: list[Gap]
    checks: int

    @property
    def percent(self) -> int:
        return round(100 * (self.checks - len(self.gaps)) / self.checks)


def completeness(provider: Provider) -> Completeness:
    """What the profile lacks, most useful first."""
    organization = provider.organization
    cases = list(provider.cases)
    rules = [
        (
            "description",
            len(provider.description or "") >= GOOD_DESCRIPTION,
            _("写一段至少 %(n)s 字的简介：擅长什么、服务过哪些行业", n=GOOD_DESCRIPTION),
        ),
        (
            "cases",
            len(cases) >= GOOD_CASES,
            _("补充案例（已有 %(have)s 个，建议至少 %(n)s 个）", have=len(cases), n=GOOD_CASES),
        ),
        (
            "case_clusters",
            bool(cases) and all(c.cluster for c in cases),
            _("为每个案例选择所属产业集群，匹配时会计入集群经验"),
        ),
        ("case_images", any(c.images for c in cases), _("为案例上传作品图片")),
        (
            "certifications",
            bool(provider.certifications),
            _("填写资质与获奖（如设计中心认定、设计奖项）"),
        ),
        (
            "price",
            provider.price_min is not None or provider.price_max is not None,
            _("填写报价区间，预算匹配才会生效"),
        ),
        ("team", provider.team_size is not None, _("填写团队人数")),
        ("verified", organization.verified, _("提交营业执照等材料，通过平台认证")),
    ]
    gaps = [Gap(code, advice) for code, done, advice in rules if not done]
    return Completeness(gaps, len(rules))


@dataclass
class Dashboard:
    provider: Provider
    invitations: list[Invitation]  # not answered yet
    by_status: dict[str, int]
    unread: dict[int, int]  # interest id → unread messages
    interests: list[Interest]
    profile: Completeness
    statuses: tuple[str, ...] = field(
        default=(
            InterestStatus.PENDING,
            InterestStatus.ACCEPTED,
            InterestStatus.DECLINED,
            InterestStatus.WITHDRAWN,
        )
    )

    @property
    def unread_total(self) -> int:
        return sum(self.unread.values())


def for_provider(session: Session, actor: User) -> Dashboard:
    provider = own_provider(actor)
    interests = list(
        session.scalars(
            select(Interest)
            .where(Interest.provider_id == provider.id)
            .order_by(Interest.created_at.desc())
        )
    )
    answered = {i.demand_id for i in interests}
    invitations = [
        invitation
        for invitation in session.scalars(
            select(Invitation)
            .where(Invitation.provider_id == provider.id)
            .order_by(Invitation.created_at.desc())
        )
        if invitation.demand_id not in answered and invitation.demand.status in DemandStatus.OPEN
    ]
    return Dashboard(
        provider=provider,
        invitations=invitations,
        by_status=Counter(i.status for i in interests),
        unread={k: v for k, v in unread_counts(session, actor, interests).items() if v},
        interests=interests,
        profile=completeness(provider),
    )
