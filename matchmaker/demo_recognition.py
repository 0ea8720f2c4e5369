"""The demo's design-centre accreditation: one round, its applications in every state, and the
recognitions the demo providers already hold.

Loaded after the organisations and the expert pool of ``demo`` and ``demo_talent``, through the
services: every demo provider with a level records it from its certificate (so the public
register lists them), and the 2026 Yongchuan round has one application recognised after two
experts scored it, one in review with one score in, and one returned for its missing files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .china_time import today as local_today
from .models import Expert, User
from .services import experts, files, rubric_library
from .services.accreditation import applications, recognitions, reviews, rounds
from .transaction import commit

# a one-page PDF standing in for a scanned certificate
SCAN = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CRITERIA = [
    {"name": "设计团队与人才", "weight": 25},
    {"name": "设计投入与条件", "weight": 20},
    {"name": "设计成果与效益", "weight": 35},
    {"name": "管理制度与服务能力", "weight": 20},
]
MATERIALS = {
    "重庆铝境轻合金应用设计有限公司": (32, 24, 4_800_000, (8, 7, 9, 8), (7, 8, 8, 7)),
    "重庆棠城学院智能制造与工业设计研究所": (21, 15, 2_600_000, (7, 6, 7, 7), None),
}


def _scan(session: Session, user: User, accreditation_id: int, storage: files.Storage) -> None:
    upload = files.Upload("认定材料扫描件.pdf", "pdf", SCAN)
    applications.add_files(session, user, accreditation_id, [upload], storage)


def _record_levels(
    session: Session, admin: User, members: Mapping[str, User], storage: files.Storage
) -> int:
    """Every demo provider with a level records the recognition behind it."""
    recorded = 0
    for _name, user in sorted(members.items()):
        organization = user.organization
        if not organization.is_provider or organization.level == "none":
            continue
        valid_until = local_today() + dt.timedelta(days=400 + 60 * (recorded % 12))
        record = applications.apply(
            session,
            user,
            {
                "kind": "record",
                "level": organization.level,
                "certificate_no": f"渝设认〔{2023 + recorded % 3}〕{100 + recorded}号",
                "valid_until": valid_until.isoformat(),
            },
        )
        _scan(session, user, record.id, storage)
        applications.check(session, admin, record.id, {"complete": True})
        recognitions.decide(session, admin, record.id, {"approve": True})
        recorded += 1
    return recorded


def panel_for(session: Session, organization_id: int) -> list[Expert]:
    """Two demo experts free of conflict with the organisation (the demo's panels)."""
    active = session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.id))
    return [e for e in active if not experts.has_conflict(session, e.id, organization_id)][:2]


def load(
    session: Session, admin: User, members: Mapping[str, User], storage: files.Storage
) -> dict[str, int]:
    """``members``: a user of each demo organisation by its name; ``storage``: uploads."""
    recorded = _record_levels(session, admin, members, storage)
    rubric = rubric_library.create(
        session, admin, {"name": "区级工业设计中心认定评分标准", "criteria": CRITERIA}
    )
    round_ = rounds.create_round(
        session,
        admin,
        {
            "title": "2026年度永川区区级工业设计中心认定",
            "year": 2026,
            "level": "district",
            "rubric_id": rubric.id,
            "pass_mark": 70,
            "min_reviewers": 2,
            "valid_years": 3,
            "closes_on": (local_today() + dt.timedelta(days=45)).isoformat(),
        },
    )
    for name, (team, designers, investment, first, second) in MATERIALS.items():
        user = members[name]
        provider = user.organization.provider
        application = applications.apply(
            session,
            user,
            {
                "round_id": round_.id,
                "team_size": team,
                "designers": designers,
                "investment": investment,
                "achievements": provider.description,
                "case_ids": [c.id for c in provider.cases][:3],
            },
        )
        _scan(session, user, application.id, storage)
        applications.check(session, admin, application.id, {"complete": True})
        panel = panel_for(session, user.organization_id)
        for expert, marks in zip(panel, (first, second), strict=True):
            reviews.assign_reviewer(session, admin, application.id, expert.id)
            if marks is not None:
                scores = {f"c{i}": mark for i, mark in enumerate(marks, 1)}
                reviews.score(session, expert.user, application.id, {"scores": scores})
        if second is not None:
            recognitions.decide(session, admin, application.id, {"approve": True})
    returned = applications.apply(
        session,
        members["重庆茶竹品牌设计有限公司"],
        {
            "round_id": round_.id,
            "team_size": 9,
            "designers": 7,
            "investment": 600_000,
            "achievements": "为永川秀芽等本地茶企完成包装与品牌设计二十余项。",
        },
    )
    applications.check(
        session,
        admin,
        returned.id,
        {"complete": False, "note": "请补充代表性案例和近三年设计投入的证明材料。"},
    )
    commit(session)
    return {"recognitions": recorded + 1, "accreditations": recorded + 3}
