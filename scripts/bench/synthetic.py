"""Deterministic synthetic providers and demands shaped like Chongqing's design sector."""

from __future__ import annotations

import datetime as dt
import random

from search import DEMANDS, SearchQuery

from .common import SEED

# Products per cluster: what Chongqing manufacturers in that cluster make.
PRODUCTS = {
    "nev-ice": [
        "纯电SUV",
        "增程式MPV",
        "智能座舱",
        "车灯",
        "中控屏",
        "电动皮卡",
        "充电桩",
        "轮毂",
        "方向盘",
        "座椅",
        "后视镜",
        "仪表台",
    ],
    "electronics": [
        "笔记本电脑",
        "智能手表",
        "蓝牙耳机",
        "路由器",
        "智能音箱",
        "打印机",
        "平板电脑",
        "扫地机器人",
        "电源适配器",
        "智能门锁",
    ],
    "advanced-materials": [
        "碳纤维复合材料",
        "玻璃纤维板",
        "功能薄膜",
        "工程塑料",
        "陶瓷基板",
        "涂层材料",
    ],
    "smart-equipment": [
        "数控机床",
        "工业机器人",
        "激光切割机",
        "注塑机",
        "AGV小车",
        "检测设备",
        "包装机械",
        "工程机械",
        "农机",
        "自动化产线",
    ],
    "food-agri": ["火锅底料", "调料", "预制菜", "茶叶", "白酒", "柑橘", "榨菜", "休闲食品", "小面"],
    "software-it": ["工业软件", "管理平台", "小程序", "数据大屏", "App", "物联网平台"],
    "new-display": ["显示面板", "车载显示屏", "商用显示器", "触控一体机", "LED屏"],
    "new-energy-storage": ["储能柜", "电池包", "户外电源", "光伏逆变器", "换电柜", "充电模块"],
    "light-alloy": ["铝合金轮毂", "镁合金壳体", "压铸件", "铝型材", "轻量化车架"],
    "motorcycle": ["电动摩托车", "越野摩托车", "踏板车", "大排量巡航车", "摩托车头盔", "车架"],
    "light-textile": ["运动鞋", "箱包", "户外服装", "家纺", "皮具", "工装"],
    "biomedicine": ["医疗器械", "康复设备", "监护仪", "输液泵", "体外诊断设备", "药盒"],
    "ai-service-robots": ["服务机器人", "配送机器人", "导览机器人", "陪护机器人", "清洁机器人"],
    "satellite-internet": ["卫星终端", "北斗导航仪", "相控阵天线", "地面站设备"],
    "low-altitude": ["无人机", "eVTOL飞行器", "植保无人机", "无人机机库", "飞行控制器"],
    "other-manufacturing": ["文创产品", "非遗工艺品", "家具", "灯具", "厨具", "玩具", "五金工具"],
}
CLUSTER_WEIGHTS = {
    "nev-ice": 16,
    "electronics": 12,
    "smart-equipment": 11,
    "motorcycle": 8,
    "food-agri": 7,
    "software-it": 6,
    "advanced-materials": 5,
    "new-energy-storage": 5,
    "light-alloy": 4,
    "new-display": 4,
    "biomedicine": 4,
    "light-textile": 4,
    "ai-service-robots": 4,
    "low-altitude": 3,
    "satellite-internet": 2,
    "other-manufacturing": 5,
}
# Where design firms and manufacturers sit: the main urban districts and Yongchuan dominate.
REGION_WEIGHTS = {
    "liangjiang": 18,
    "jiulongpo": 9,
    "shapingba": 7,
    "yuzhong": 6,
    "nanan": 6,
    "yongchuan": 8,
    "beibei": 4,
    "banan": 4,
    "dadukou": 3,
    "jiangjin": 3,
    "bishan": 3,
    "hechuan": 2,
    "fuling": 2,
    "changshou": 2,
    "tongliang": 2,
    "dazu": 2,
    "rongchang": 2,
    "wanzhou": 2,
    "qijiang": 1,
    "nanchuan": 1,
    "tongnan": 1,
    "kaizhou": 1,
    "liangping": 1,
    "other": 8,
}
KIND_WEIGHTS = {
    "design-firm": 55,
    "studio": 15,
    "enterprise-design-center": 12,
    "university": 7,
    "design-institute": 6,
    "public-service-platform": 5,
}
LEVEL_WEIGHTS = {"none": 62, "district": 20, "municipal": 14, "national": 4}
TEAM = {
    "design-firm": (8, 60),
    "studio": (1, 8),
    "enterprise-design-center": (15, 120),
    "university": (10, 80),
    "design-institute": (20, 200),
    "public-service-platform": (10, 60),
}
# Services that tend to come together (a chain) and how often each group is offered.
SERVICE_CHAINS = [
    ["concept-design", "appearance-design", "structural-design", "prototyping"],
    ["appearance-design", "cmf-design", "interior-design"],
    ["structural-design", "mold-design", "pilot-production", "design-validation"],
    ["user-research", "experience-design", "service-design", "interaction-design"],
    ["ui-design", "interaction-design", "digital-design"],
    ["packaging-design", "brand-strategy", "marketing"],
    ["engineering-design", "rd-design", "process-design", "lifecycle-design"],
    ["prototyping", "additive-manufacturing", "testing-inspection"],
    ["green-design", "lifecycle-design", "system-design"],
    ["commercialization", "ip-protection", "business-model-design"],
    ["digital-design", "cloud-design", "collaborative-design", "computer-aided-design"],
]
CAPABILITIES = [
    "外观造型",
    "结构设计",
    "CMF方案",
    "手板打样",
    "模具开发",
    "用户调研",
    "交互界面",
    "包装视觉",
    "品牌形象",
    "量产落地",
    "小批量试制",
    "仿真分析",
    "轻量化",
    "人机工程",
    "效果图",
    "数字模型",
    "油泥模型",
    "3D打印",
    "检测认证",
    "DFM评审",
]
ADJECTIVES = [
    "高端",
    "智能",
    "便携",
    "模块化",
    "轻量化",
    "低成本",
    "年轻化",
    "国潮",
    "适老化",
    "户外",
    "商用",
    "家用",
    "工业级",
    "新一代",
]
PROVIDER_STRENGTHS = [
    "核心成员来自主机厂",
    "拥有多名资深设计师",
    "与本地制造企业长期合作",
    "配备样机车间",
    "熟悉量产工艺",
]
PROCESS_STARTS = ["概念草图", "用户调研", "方案构思"]
PROCESS_ENDS = ["量产", "样机", "模具", "上市推广"]
DEMAND_CONTEXTS = [
    "现有产品外观老旧，希望提升品牌辨识度",
    "新品需要兼顾成本与量产可行性",
    "目标用户为年轻消费者",
    "面向海外市场，需满足出口认证",
    "要求与现有产线工艺匹配",
]
DEMAND_DELIVERABLES = [
    "效果图和三维数据",
    "结构图纸和手板样机",
    "整套设计规范",
    "用户调研报告和原型",
]
DEMAND_CONDITIONS = [
    "希望设计方有同类产品量产经验",
    "优先考虑本地服务商",
    "需驻场配合评审",
    "可分阶段验收",
]
PROVIDER_NAMES = [
    "创",
    "渝",
    "山城",
    "嘉陵",
    "两江",
    "巴渝",
    "鼎",
    "睿",
    "锐",
    "拓",
    "匠",
    "森",
    "弘",
    "智",
    "原点",
    "方圆",
    "象",
    "墨",
    "川",
    "合",
]
NAME_TAILS = {
    "design-firm": "工业设计有限公司",
    "studio": "设计工作室",
    "enterprise-design-center": "工业设计中心",
    "university": "大学工业设计系",
    "design-institute": "工业设计研究院",
    "public-service-platform": "工业设计公共服务平台",
}


def _syllables(i: int) -> str:
    """A unique firm name stem per number (names are unique per organisation type)."""
    out = []
    while True:
        i, r = divmod(i, len(PROVIDER_NAMES))
        out.append(PROVIDER_NAMES[r])
        if i == 0:
            break
    return "".join(out if len(out) > 1 else out + ["源"])


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Synth:
    """Deterministic synthetic records (``search.documents`` record shape)."""

    def __init__(self, taxonomy: dict, seed: int = SEED):
        self.seed = seed
        self.label = {
            s: {it["code"]: it["zh"] for it in taxonomy[s]}
            for s in ("clusters", "services", "regions")
        }
        self.related = {}
        for group in taxonomy.get("yongchuan_industries", ()):
            codes = [c for c in group.get("maps_to") or () if c in PRODUCTS]
            for c in codes:
                self.related.setdefault(c, set()).update(x for x in codes if x != c)
        self.base = dt.datetime(2024, 1, 1)

    def _services(self, rng: random.Random, lo: int, hi: int) -> list[str]:
        chain = rng.choice(SERVICE_CHAINS)
        n = rng.randint(lo, hi)
        services = chain[: max(1, min(n, len(chain)))]
        while len(services) < n:
            s = rng.choice(rng.choice(SERVICE_CHAINS))
            if s not in services:
                services.append(s)
        return services

    def provider(self, i: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + i)
        kind = _weighted(rng, KIND_WEIGHTS)
        level = _weighted(rng, LEVEL_WEIGHTS)
        if kind == "studio" and level == "national":
            level = "none"
        main = _weighted(rng, CLUSTER_WEIGHTS)
        clusters = [main]
        if rng.random() < 0.45:
            extra = sorted(self.related.get(main) or CLUSTER_WEIGHTS)
            c = rng.choice(extra)
            if c not in clusters:
                clusters.append(c)
        if rng.random() < 0.15:
            c = _weighted(rng, CLUSTER_WEIGHTS)
            if c not in clusters:
                clusters.append(c)
        services = self._services(rng, 2, 7)
        lo, hi = TEAM[kind]
        team = max(1, int(rng.triangular(lo, hi, lo + (hi - lo) * 0.3)))
        price_min = int(round(rng.uniform(0.5, 1.5) * (5_000 + 4_000 * team), -3))
        price_max = int(round(price_min * rng.uniform(3, 12), -3))
        products = PRODUCTS[main]
        made = rng.sample(products, min(len(products), rng.randint(2, 4)))
        svc = [self.label["services"][s] for s in services]
        cl = [self.label["clusters"][c] for c in clusters]
        region = _weighted(rng, REGION_WEIGHTS)
        year = rng.randint(2005, 2022)
        sentences = [
            f"成立于{year}年，专注{cl[0]}领域的{'、'.join(svc[:3])}。",
            "主要为{}等产品提供{}与{}服务。".format("、".join(made), *rng.sample(CAPABILITIES, 2)),
            f"团队{team}人，"
            f"{rng.choice(PROVIDER_STRENGTHS)}，"
            f"可承接从{rng.choice(PROCESS_STARTS)}到{rng.choice(PROCESS_ENDS)}的全流程。",
        ]
        if len(cl) > 1:
            sentences.append(f"同时服务{'、'.join(cl[1:])}行业客户。")
        if rng.random() < 0.5:
            a, b = rng.sample(CAPABILITIES, 2)
            sentences.append(
                f"擅长{rng.choice(ADJECTIVES)}{rng.choice(made)}的{rng.choice(svc)}，注重{a}和{b}。"
            )
        cases = []
        for _ in range(rng.choices((0, 1, 2, 3), weights=(15, 35, 35, 15))[0]):
            case_cluster = main if rng.random() < 0.8 else rng.choice(clusters)
            product = rng.choice(PRODUCTS[case_cluster])
            cases.append(
                {
                    "title": f"{rng.choice(ADJECTIVES)}{product}{rng.choice(svc)}",
                    "description": "为{}某企业完成{}的{}与{}，{}。".format(
                        self.label["regions"][_weighted(rng, REGION_WEIGHTS)],
                        product,
                        *rng.sample(CAPABILITIES, 2),
                        rng.choice(["已量产上市", "进入样机验证", "获得设计奖项", "销量提升明显"]),
                    ),
                    "cluster": case_cluster,
                    "year": rng.randint(2018, 2025),
                }
            )
        recommended = rng.choice((0, 0, 0, rng.randint(1, 15), rng.randint(5, 60)))
        answered = int(recommended * rng.choice((0.0, 0.05, 0.3, 0.6))) if recommended else 0
        created = self.base + dt.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        return {
            "id": i,
            "version": 1,
            "name": f"重庆{_syllables(i)}{NAME_TAILS[kind]}",
            "kind": kind,
            "level": level,
            "region": region,
            "clusters": clusters,
            "services": services,
            "description": "".join(sentences),
            "cases": cases,
            "team_size": team,
            "price_min": price_min,
            "price_max": price_max,
            "verified": rng.random() < 0.35,
            "certifications": [],
            "recommended_count": recommended,
            "answered_count": answered,
            "created_at": created.isoformat(timespec="seconds"),
        }

    def demand(self, i: int) -> dict:
        rng = random.Random(self.seed * 2_000_003 + i)
        cluster = _weighted(rng, CLUSTER_WEIGHTS)
        product = rng.choice(PRODUCTS[cluster])
        services = self._services(rng, 1, 3)
        svc = [self.label["services"][s] for s in services]
        budget_min = int(round(10 ** rng.uniform(4.3, 6.3), -3))
        budget_max = int(round(budget_min * rng.uniform(1.2, 3.0), -3))
        region = _weighted(rng, REGION_WEIGHTS)
        adjective = rng.choice(ADJECTIVES)
        description = (
            f"我司是{self.label['regions'][region]}一家{self.label['clusters'][cluster]}企业，"
            f"计划推出一款{adjective}{product}，需要{'、'.join(svc)}。"
            f"{rng.choice(DEMAND_CONTEXTS)}，"
            f"交付{rng.choice(DEMAND_DELIVERABLES)}，"
            f"{rng.choice(DEMAND_CONDITIONS)}。"
        )
        created = self.base + dt.timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        return {
            "id": i,
            "version": 1,
            "title": f"{adjective}{product}{svc[0]}",
            "description": description,
            "cluster": cluster,
            "services": services,
            "region": region,
            "budget_min": budget_min,
            "budget_max": budget_max,
            "deadline": (created + dt.timedelta(days=rng.randint(30, 365))).date().isoformat(),
            "status": "published" if rng.random() < 0.9 else "closed",
            "organization_name": f"重庆{rng.choice(PROVIDER_NAMES)}{product}制造有限公司",
            "created_at": created.isoformat(timespec="seconds"),
            "published_at": created.isoformat(timespec="seconds"),
        }

    def providers(self, n: int) -> list[dict]:
        return [self.provider(i) for i in range(1, n + 1)]

    def demands(self, n: int) -> list[dict]:
        return [self.demand(i) for i in range(1, n + 1)]

    def search_query(self, rng: random.Random) -> SearchQuery:
        """A user's faceted demand search: one or two words, zero to two filters."""
        cluster = _weighted(rng, CLUSTER_WEIGHTS)
        words = [rng.choice(PRODUCTS[cluster])]
        if rng.random() < 0.4:
            words.append(self.label["services"][rng.choice(rng.choice(SERVICE_CHAINS))])
        filters: dict = {"status": ["published"]}
        if rng.random() < 0.5:
            filters["cluster"] = [cluster]
        if rng.random() < 0.3:
            filters["region"] = [_weighted(rng, REGION_WEIGHTS)]
        return SearchQuery(
            index=DEMANDS,
            text=" ".join(words),
            filters=filters,
            facets=("cluster", "service", "region"),
        )
