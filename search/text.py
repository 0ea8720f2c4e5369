"""Chinese text analysis, done once in Python for both backends.

* Segmentation with jieba's dictionary and algorithm in *search mode* without HMM:
  dictionary words and their dictionary sub-words are emitted (``产品外观造型设计`` →
  ``产品 外观 造型 设计 造型设计 …``), so a short query reaches longer compounds. HMM is off so
  the output depends only on the dictionaries: deterministic across processes. The
  segmenter is jieba-rs (``rjieba``): the same dictionary and dynamic programme as the
  Python jieba, about ten times faster (segmentation was most of a rebuild's time), and with
  the dictionary's total made equal (below) the same tokens: the Python jieba stays as the
  reference the tests compare with, and as the source of the dictionary's frequencies.
* A domain dictionary is built from the taxonomy (zh labels and aliases of clusters,
  services, regions, provider kinds and levels) plus industrial-design vocabulary.
* Tokens are lower-cased; punctuation, stopwords, bare numbers and single characters
  (except a few meaningful ones) are dropped.
* Synonyms come from the taxonomy: every alias ↔ its label (``手板`` ↔ ``样机制作``,
  ``造型设计`` ↔ ``外观设计``, ``新能源汽车`` ↔ ``智能网联新能源汽车``). They are applied to
  queries, never to documents, so the index does not depend on the taxonomy's aliases.

The analyser is built once per process per taxonomy (``get_analyzer``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

import jieba
import rjieba

TAXONOMY_SECTIONS = ("clusters", "services", "regions", "provider_kinds", "provider_levels")

# Industrial-design vocabulary that jieba's general dictionary splits badly.
DOMAIN_WORDS = (
    "手板",
    "手板模型",
    "手板制作",
    "造型",
    "造型设计",
    "油泥",
    "油泥模型",
    "CMF",
    "效果图",
    "数字模型",
    "A面",
    "A面数据",
    "外饰",
    "内饰",
    "座舱",
    "人机交互",
    "人机工程",
    "人因工程",
    "结构设计",
    "外观设计",
    "工业设计",
    "产品设计",
    "样机",
    "样件",
    "打样",
    "开模",
    "模具",
    "注塑",
    "钣金",
    "压铸",
    "轻量化",
    "拓扑优化",
    "仿真",
    "CAE",
    "DFM",
    "可用性",
    "用户研究",
    "用户调研",
    "交互设计",
    "界面设计",
    "视觉设计",
    "动效",
    "设计规范",
    "色彩",
    "配色",
    "面料",
    "纹理",
    "表面处理",
    "包装设计",
    "品牌设计",
    "品牌策划",
    "小批量",
    "量产",
    "中试",
    "检测",
    "认证",
    "3D打印",
    "增材制造",
    "机器人",
    "无人机",
    "储能",
    "电池包",
    "新能源",
    "新能源汽车",
    "智能网联",
    "摩托车",
    "电动摩托车",
    "越野摩托车",
    "车架",
    "车灯",
    "医疗器械",
    "康复",
    "智能家居",
    "智能终端",
    "消费电子",
    "可穿戴",
    "文创",
    "非遗",
    "火锅底料",
    "调料",
    "预制菜",
    "农机",
    "数控机床",
    "工程机械",
    "复合材料",
    "铝合金",
    "镁合金",
    "显示面板",
    "车机",
    "仪表",
    "中控屏",
    "三联屏",
    "适老化",
    "全生命周期",
)

# Extra synonym pairs (domain word ↔ taxonomy label) beyond the taxonomy's own aliases.
EXTRA_SYNONYMS = (
    ("造型", "外观设计"),
    ("外观", "外观设计"),
    ("打样", "样机制作"),
    ("样件", "样机制作"),
    ("仿真", "cae"),
    ("人机交互", "交互设计"),
    ("车机", "交互设计"),
    ("油泥模型", "油泥"),
)

# Single characters that carry meaning in this domain (objects, materials).
KEEP_SINGLE = frozenset("车灯屏锁泵阀茶酒鞋椅床桌柜箱壶杯碗刀钟表笔伞药盒瓶罐")

STOPWORDS = frozenset(
    """
的 了 和 与 及 或 等 在 是 为 对 以 将 把 被 从 到 由 于 向 中 上 下 内 外 也 都 并 而 且 其 该
此 这 那 我们 我司 公司 本公司 贵司 我 你 他 她 它 您 之 所 可 能 会 要 需 需要 希望 要求 进行
完成 提供 负责 承接 具有 具备 拥有 以及 并且 或者 同时 通过 根据 相关 有关 一个 一套 一款 一台
多个 多家 多年 多项 各类 各种 其他 其它 other 等等 方面 方式 方案 情况 问题 工作 项目 服务 能力
经验 团队 合作 客户 企业 单位 左右 以上 以下 以内 之间 目前 现有 已经 已 正在 可以 能够 如果
因为 所以 但是 不 没有 很 较 更 最 非常 主要 包括 包含 含 整体 整个 全部 所有 每 个 台 套 款 家
年 月 日 元 万 万元 约 超过 一 二 三 四 五 六 七 八 九 十 the a an of and or for to in on with
by at from as is are be we our you your
""".split()
)

_PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
_NUMBER_RE = re.compile(r"^[\d.,%:/×x\-+]+$")
_HAS_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


@functools.lru_cache(maxsize=1 << 16)
def _keep(token: str) -> bool:
    if not token or token.isspace() or _PUNCT_RE.match(token) or _NUMBER_RE.match(token):
        return False
    if token in STOPWORDS:
        return False
    if len(token) == 1:
        return token in KEEP_SINGLE
    return True


# jieba-rs and Python jieba share the dictionary and the dynamic programme, but adding a word
# that is already in the dictionary replaces its frequency in the dictionary's total in
# jieba-rs and adds to it in Python jieba. Every path's probability is divided by that total,
# so where two segmentations are exactly as likely (``纸卷|纸`` or ``纸|卷纸``) the rounding of
# the total decides. A placeholder entry that no text can reach (a private-use character,
# never part of a segmented block) carries the difference, so both totals, and so the tokens
# the ranking model was trained on, are equal.
_TOTAL_PLACEHOLDER = "\ue000"


@functools.cache
def _base_frequencies() -> dict[str, int]:
    """Frequencies of jieba's shipped dictionary (the one jieba-rs embeds)."""
    out = {}
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as fh:
        for line in fh:
            word, freq = line.split(" ", 2)[:2]
            out[word] = int(freq)
    return out


def _replaced_frequency(added: list[tuple[str, int]]) -> int:
    """What jieba-rs took off the total for ``added``: each word's frequency before it."""
    base = _base_frequencies()
    current: dict[str, int] = {}
    replaced = 0
    for word, freq in added:
        replaced += current.get(word, base.get(word, 0))
        current[word] = freq
    return replaced


class Analyzer:
    """Segmentation and query expansion for one taxonomy."""

    def __init__(self, taxonomy: Mapping | None = None):
        taxonomy = taxonomy or {}
        self._tokenizer = rjieba.Jieba()
        words: set[str] = set(DOMAIN_WORDS)
        groups: list[list[str]] = []
        for section in TAXONOMY_SECTIONS:
            for item in taxonomy.get(section, ()):
                names = [item.get("zh", "")] + list(item.get("aliases") or ())
                names = [n for n in names if n]
                words.update(names)
                groups.append(names)
        for item in taxonomy.get("yongchuan_industries", ()):
            if item.get("zh"):
                words.add(item["zh"])
        added: list[tuple[str, int]] = []
        for word in sorted(words):
            w = _normalise(word)
            if " " not in w and len(w) > 1:
                # A high frequency makes the whole word win over its parts; search mode
                # still emits the dictionary sub-words.
                added.append((w, max(1000, 200 * len(w))))
                self._tokenizer.add_word(w, added[-1][1], None)
        self._tokenizer.add_word(_TOTAL_PLACEHOLDER, _replaced_frequency(added), None)
        self.added_words = tuple(added)  # (word, frequency), in the order they were added
        # Synonym rings: each taxonomy entry's label and aliases, as single tokens.
        self.synonyms: dict[str, set[str]] = {}
        for names in groups:
            ring = set()
            for name in names:
                toks = self._segment_words(_normalise(name))
                if len(toks) == 1 and _keep(toks[0]):
                    ring.add(toks[0])
            for tok in ring:
                self.synonyms.setdefault(tok, set()).update(ring - {tok})
        for word, label in EXTRA_SYNONYMS:
            word, label = _normalise(word), _normalise(label)
            ring = self.synonyms.get(label, set()) | {label}
            self.synonyms.setdefault(word, set()).update(ring - {word})
            for tok in ring:
                self.synonyms.setdefault(tok, set()).add(word)

    # -- segmentation -------------------------------------------------------------------
    def _segment_words(self, text: str) -> list[str]:
        return [t.strip() for t in self._tokenizer.cut(text, False) if t.strip()]

    def tokens(self, text: str | None) -> list[str]:
        """Index/query tokens of ``text`` (search mode: words plus dictionary sub-words)."""
        text = _normalise(text or "")
        if not text:
            return []
        raw = self._tokenizer.cut_for_search(text, False)
        return [t for t in (r.strip() for r in raw) if _keep(t)]

    def words(self, text: str | None) -> list[str]:
        """Query units: the precise-mode words (no sub-words), filtered."""
        text = _normalise(text or "")
        return [t for t in self._segment_words(text) if _keep(t)]

    def segment(self, text: str | None) -> str:
        """Space-joined tokens, the form stored in index documents."""
        return " ".join(self.tokens(text))

    # -- queries ------------------------------------------------------------------------
    def expand(self, token: str) -> list[str]:
        return sorted(self.synonyms.get(token, ()))

    def query_units(self, text: str | None) -> list[tuple[list[str], list[str]]]:
        """For a short user query: per query word, ``(alternatives, parts)``.

        ``alternatives`` are the word and its taxonomy synonyms; ``parts`` its dictionary
        sub-words (when it has two or more). A document matches the unit when it contains
        any alternative, or all the parts (``外观设计`` reaches ``产品外观造型设计`` through
        its synonym ``造型设计`` and through ``外观`` + ``设计``).
        """
        units: list[tuple[list[str], list[str]]] = []
        seen: set[str] = set()
        for word in self.words(text):
            if word in seen:
                continue
            seen.add(word)
            alternatives = [word] + [s for s in self.expand(word) if s != word]
            parts = [t for t in dict.fromkeys(self.tokens(word)) if t != word]
            units.append((alternatives, parts if len(parts) >= 2 else []))
        return units

    def weighted_terms(
        self,
        texts: Iterable[tuple[str | None, float]],
        synonym_weight: float = 0.5,
        limit: int = 200,
    ) -> dict[str, float]:
        """Bag of query terms with weights for matching (long texts as queries).

        Each distinct token counts once with the highest weight of the texts it occurs in;
        taxonomy synonyms of a token are added at ``synonym_weight`` × that weight.
        """
        weights: dict[str, float] = {}
        for text, weight in texts:
            for tok in self.tokens(text):
                if weights.get(tok, 0.0) < weight:
                    weights[tok] = weight
        for tok, weight in list(weights.items()):
            for syn in self.expand(tok):
                w = weight * synonym_weight
                if weights.get(syn, 0.0) < w:
                    weights[syn] = w
        if len(weights) > limit:
            ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
            weights = dict(ranked)
        return dict(sorted(weights.items()))


_ANALYZERS: dict[str, Analyzer] = {}
_ANALYZERS_LOCK = threading.Lock()


def get_analyzer(taxonomy: Mapping | None) -> Analyzer:
    """The process-wide analyser for this taxonomy (built on first use)."""
    key = hashlib.sha1(
        json.dumps(taxonomy or {}, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    with _ANALYZERS_LOCK:
        analyzer = _ANALYZERS.get(key)
        if analyzer is None:
            analyzer = _ANALYZERS[key] = Analyzer(taxonomy)
        return analyzer


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK_RE.search(text or ""))
