"""The demo's common need: the group of alike demands the detector finds first in the demo
data becomes a project; its enterprises opt in, the providers the matcher ranks first for the
group are invited, they talk in the project's conversation, one answers and is chosen.

Loaded last, through the services, after the demo's demands are indexed (the providers are
ranked by the search backend).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from search import SearchBackend
from search.grouping import DEFAULT_THRESHOLD

from .models import Role, User
from .services.common_needs import answers, conversation, detection, projects
from .transaction import commit


def load(session: Session, backend: SearchBackend, admin: User) -> dict[str, int]:
    found = detection.proposals(session, admin, DEFAULT_THRESHOLD)
    if not found:
        return {"common_needs": 0}
    group = found[0]
    need = projects.create(
        session,
        admin,
        {
            "demand_ids": [d.id for d in group.demands],
            "title": f"{group.demands[0].title}（共性需求）",
            "brief": "同一产业集群的多家企业提出了相似的设计需求，平台组织共同委托："
            + "；".join(d.title for d in group.demands),
            "threshold": DEFAULT_THRESHOLD,
        },
    )
    for demand in group.demands:
        member = next(u for u in demand.organization.users if u.role == Role.ENTERPRISE)
        projects.respond(session, member, need.id, {"join": True})
    ranked = answers.suggested(session, backend, admin, need.id, k=3)
    for match in ranked:
        answers.invite(session, admin, need.id, match.record.id, match.hit.score)
    members = [
        next(u for u in d.organization.users if u.role == Role.ENTERPRISE) for d in group.demands
    ]
    conversation.post(
        session, admin, need.id, {"body": "各位好，请在这里交流共同委托的范围和进度。"}
    )
    conversation.post(
        session, members[0], need.id, {"body": "我们希望先统一需求范围，再分厂落地，样品可寄。"}
    )
    if ranked:
        first = next(u for u in ranked[0].record.organization.users if u.role == Role.PROVIDER)
        conversation.post(
            session, first, need.id, {"body": "可以先做联合调研，两周内给出方案框架。"}
        )
        answers.answer(session, first, need.id, {"interested": True, "note": "可组织联合方案"})
        answers.choose(session, admin, need.id, ranked[0].record.id)
    commit(session)
    return {"common_needs": 1}
