"""Match reasons are translated by the app (Babel), with taxonomy labels in the same language."""

from __future__ import annotations

import json
from pathlib import Path

from flask_babel import force_locale

from matchmaker.reasons import MESSAGES, reason_label
from search import Reason, scoring
from search.text import get_analyzer

ROOT = Path(__file__).resolve().parents[2]


def test_reasons_in_both_languages(app):
    inferred = Reason("cluster", "cluster.inferred", {"cluster": "biomedicine"})
    offers = Reason("service", "service.offers", {"services": ("appearance-design", "cmf-design")})
    level = Reason("level", "level", {"level": "municipal", "kind": "enterprise-design-center"})
    with app.test_request_context(), force_locale("zh"):
        assert reason_label(inferred) == "按需求内容判断属于生物医药集群"
        assert reason_label(offers) == "提供外观设计、CMF设计"
        assert reason_label(level) == "市级企业工业设计中心"
    with app.test_request_context(), force_locale("en"):
        assert reason_label(inferred) == "Judged from the demand's text to belong to Biomedicine"
        assert (
            reason_label(offers)
            == "Offers Exterior / Styling Design, CMF Design (Colour, Material, Finish)"
        )
        assert reason_label(level) == "Municipal (Chongqing) Enterprise Industrial Design Centre"


def test_every_reason_search_can_give_has_a_message(app):
    """Every message key the signal table can put on a clause has a sentence here."""
    taxonomy = json.loads((ROOT / "matchmaker" / "data" / "taxonomy.json").read_text("utf-8"))
    analyzer = get_analyzer(taxonomy)
    demand = {
        "title": "外观设计",
        "description": "外观与结构设计",
        "cluster": "nev-ice",
        "services": ["appearance-design"],
        "region": "yongchuan",
        "budget_min": 100_000,
        "budget_max": 300_000,
    }
    provider = {
        "name": "设计公司",
        "description": "外观设计",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
        "cases": [{"title": "车灯", "description": "外观设计", "cluster": "nev-ice"}],
        "region": "yongchuan",
        "team_size": 3,
        "price_min": 50_000,
        "price_max": 500_000,
    }
    unit = dict.fromkeys(scoring.SIGNAL_NAMES, 1.0)
    specs = [
        scoring.provider_spec(demand, taxonomy, analyzer, lambda vector: [], signal_weights=unit),
        scoring.lead_spec(provider, taxonomy, analyzer, signal_weights=unit),
    ]
    keys = {c.message for spec in specs for c in spec.clauses if c.message}
    # Messages chosen when the reason is phrased (search.scoring._reason).
    keys |= {"cluster.same", "cluster.inferred", "service.shown", "case.named"}
    assert keys <= set(MESSAGES), keys - set(MESSAGES)
