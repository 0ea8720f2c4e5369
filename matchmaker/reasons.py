"""Match reasons as sentences in the request's language, from the codes ``search/`` returns.

``search`` says *why* a provider or lead ranked (a reason code, a message key and taxonomy
codes or a case title as parameters); this module is the one place that turns that into
words, through Babel like every other message, with taxonomy labels in the same language.
"""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from search import Reason

from .taxonomy import get_taxonomy

MESSAGES = {
    "cluster.same": _l("同属%(cluster)s集群"),
    "cluster.inferred": _l("按需求内容判断属于%(cluster)s集群"),
    "cluster.related": _l("相关集群：%(clusters)s"),
    "service.offers": _l("提供%(services)s"),
    "service.shown": _l("介绍和案例中做过%(services)s"),
    "service.needs": _l("需要%(services)s"),
    "text.demand": _l("描述与需求相关"),
    "text.profile": _l("需求描述与业务相关"),
    "text.meaning": _l("所做的工作与需求相近"),
    "case": _l("相关案例"),
    "case.named": _l("相关案例：%(title)s"),
    "budget.fits": _l("报价区间与预算匹配"),
    "budget.fits_price": _l("预算与报价区间匹配"),
    "budget.near": _l("报价起点略高于预算"),
    "budget.below": _l("预算略低于报价起点"),
    "activity.team": _l("团队规模与项目体量相称"),
    "activity.scale": _l("项目体量与团队规模相称"),
    "region.local": _l("%(region)s本地"),
    "region.chongqing": _l("重庆市内"),
    "level": _l("%(level)s%(kind)s"),
    "verified": _l("平台认证"),
    # the talent pool and the expert pool (search.talent)
    "talent.speciality": _l("专长相符：%(services)s"),
    "talent.text": _l("经历与描述相关"),
    "talent.meaning": _l("作品与工作方向相近"),
    "talent.title": _l("职称符合要求"),
    "talent.experience": _l("从业年限符合要求"),
    "talent.available": _l("可随时到岗"),
    "talent.open": _l("考虑新机会"),
}
# Parameter → taxonomy vocabulary of its code(s).
VOCABULARIES = {
    "cluster": "clusters",
    "clusters": "clusters",
    "services": "services",
    "region": "regions",
    "level": "provider_levels",
    "kind": "provider_kinds",
}


def _locale() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


def _param(name: str, value) -> str:
    vocabulary = VOCABULARIES.get(name)
    if vocabulary is None:
        return str(value)
    labels = get_taxonomy().vocabulary(vocabulary)
    if isinstance(value, (list, tuple)):
        return _("、").join(labels.label(code, _locale()) for code in value)
    return labels.label(value, _locale()) if value else ""


def reason_label(reason: Reason, locale: str | None = None) -> str:
    """The reason as one sentence in ``locale`` or else the request's language (a list of
    matches passes it: asking for the request's language costs more than a kept sentence)."""
    params = tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in reason.params.items()
    )
    return _sentence(locale or _locale(), reason.message, params)


@lru_cache(maxsize=4096)
def _sentence(locale: str, key: str, params: tuple) -> str:
    """One sentence per language, message and parameters: a page of matches repeats the same
    few reasons, and each costs several translations and taxonomy look-ups."""
    message = MESSAGES.get(key)
    if message is None:
        raise KeyError(f"no message for reason {key!r}")
    words = {name: _param(name, value) for name, value in params}
    return (str(message) % words).strip() if words else str(message)
