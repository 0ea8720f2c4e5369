"""The demo's good-design selection: the 2026 year, four achievements from demo providers'
portfolio cases with before/after pictures, scored by two experts, three shortlisted and two
announced as winners (so the public showcase, the profiles and guide editions show them).

Loaded after ``demo_recognition``, through the services. The pictures are drawn here (plain
shapes, no text), since the demo ships no photographs.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from .china_time import today as local_today
from .demo_recognition import panel_for
from .models import Case, User
from .services import files
from .services.showcase import entries, selection
from .transaction import commit

# provider, case title, (services), problem, design, results, sales %, cost %, awards, marks
ENTRIES = [
    (
        "重庆棠驰摩托车有限公司设计研究院",
        "150cc踏板车东南亚版造型",
        ["appearance-design", "cmf-design"],
        "原车型在东南亚市场造型偏保守，年轻用户认知度低，经销商反馈难以与日系竞品区分。",
        "以“轻快、灵动”为主题重塑前脸与侧面腰线，LED 灯组家族化，配色按当地偏好做三套 CMF。",
        "上市首年出口量同比增长，单车涂装成本因减少分色工序下降。",
        42,
        -8,
        "",
        ((9, 8, 9, 8), (8, 8, 9, 7)),
    ),
    (
        "重庆津韵食品包装设计有限公司",
        "花椒油系列包装焕新",
        ["packaging-design", "brand-strategy"],
        "老包装信息杂乱、货架辨识度差，电商主图转化率低于同类产品。",
        "统一品牌色与字体，正面只留品名与麻度等级，瓶型改为易握的方肩瓶并减少标签面积。",
        "改版后电商转化率提升，标签印刷费用下降。",
        28,
        -15,
        "2025 年中国包装创意设计大赛银奖",
        ((8, 9, 8, 8), (9, 8, 8, 8)),
    ),
    (
        "重庆野驰摩托车设计有限公司",
        "500cc ADV探险车造型",
        ["appearance-design", "experience-design"],
        "越野巡航车型坐姿疲劳、风挡效果差，用户长途骑行体验不佳。",
        "重做人机三角与风挡导流，油箱收窄以利站姿骑行，覆盖件分块便于野外更换。",
        "用户满意度调查中舒适性评分明显提高。",
        15,
        None,
        "",
        ((7, 7, 8, 7), (7, 6, 7, 7)),
    ),
    (
        "重庆巡天电子科技有限公司工业设计中心",
        "商用轻薄笔记本再生材料外壳",
        ["cmf-design", "structural-design"],
        "企业采购客户要求产品使用再生材料，但再生塑料外观易出现流纹、强度不足。",
        "以再生铝与再生 PC 复合结构替代原外壳，纹理设计掩盖流纹，内部加强筋重新布置。",
        "整机减重，外壳材料成本下降，获得大客户绿色采购订单。",
        12,
        -6,
        "",
        ((6, 6, 6, 6), (6, 7, 6, 5)),
    ),
]
CRITERIA = [
    {"name": "创新性", "weight": 30},
    {"name": "设计品质", "weight": 30},
    {"name": "市场成效", "weight": 25},
    {"name": "社会与环境效益", "weight": 15},
]


def picture(colour: tuple[int, int, int], shape: str) -> bytes:
    """A small drawing standing in for a photograph: a product outline on a plain ground."""
    image = Image.new("RGB", (480, 320), (240, 242, 245))
    draw = ImageDraw.Draw(image)
    if shape == "before":
        draw.rectangle((90, 90, 390, 250), fill=(170, 170, 170), outline=(120, 120, 120), width=4)
    else:
        draw.rounded_rectangle(
            (80, 80, 400, 250), radius=48, fill=colour, outline=(40, 40, 40), width=4
        )
        draw.ellipse((120, 200, 190, 270), fill=(50, 50, 50))
        draw.ellipse((290, 200, 360, 270), fill=(50, 50, 50))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load(
    session: Session, admin: User, members: Mapping[str, User], storage: files.Storage
) -> dict[str, int]:
    year = selection.create_year(
        session,
        admin,
        {
            "year": 2026,
            "title": "2026“重庆好设计”评选",
            "criteria": CRITERIA,
            "min_reviewers": 2,
            "closes_on": (local_today() + dt.timedelta(days=30)).isoformat(),
        },
    )
    ranked = []
    colours = [(30, 100, 200), (200, 60, 40), (40, 150, 90), (120, 80, 170)]
    for number, row in enumerate(ENTRIES):
        name, title, services, problem, design, results, sales, cost, awards, marks = row
        user = members[name]
        case = session.scalar(
            select(Case).where(
                Case.provider_id == user.organization.provider.id, Case.title == title
            )
        )
        entry = entries.submit(
            session,
            user,
            {
                "year_id": year.id,
                "source": "case",
                "case_id": case.id,
                "title": title,
                "cluster": case.cluster,
                "services": services,
                "problem": problem,
                "design": design,
                "results": results,
                "sales_change_pct": sales,
                "cost_change_pct": cost,
                "awards": awards,
            },
        )
        before = [files.Upload("改进前.png", "png", picture(colours[number], "before"))]
        after = [files.Upload("改进后.png", "png", picture(colours[number], "after"))]
        entries.add_images(session, user, entry.id, before, after, storage)
        for expert, scores in zip(panel_for(session, user.organization_id), marks, strict=True):
            selection.assign_reviewer(session, admin, entry.id, expert.id)
            body = {"scores": {f"c{i}": s for i, s in enumerate(scores, 1)}}
            selection.score(session, expert.user, entry.id, body)
        ranked.append(entry)
    selection.shortlist(session, admin, year.id, {"entry_ids": [e.id for e in ranked[:3]]})
    selection.announce(session, admin, year.id, {"entry_ids": [e.id for e in ranked[:2]]})
    commit(session)
    return {"showcase_entries": len(ranked), "showcase_winners": 2}
