"""The taxonomy (clusters, services, regions, provider kinds and levels) as data.

Codes are what the database stores; labels (zh/en) and aliases are accepted on input and
normalised to codes here, so every entry point (forms, API, import) agrees. The talent pool's
vocabularies (professional titles, education, availability, seniority bands) come from
``data/talent.json`` beside the shared ``taxonomy.json`` and work the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

VOCABULARIES = ("clusters", "services", "regions", "provider_kinds", "provider_levels")
TALENT_VOCABULARIES = ("professional_titles", "education_levels", "availability", "seniority_bands")


class UnknownLabel(ValueError):
    def __init__(self, vocabulary: str, value: str):
        super().__init__(f"unknown {vocabulary} value: {value!r}")
        self.vocabulary = vocabulary
        self.value = value


@dataclass
class Vocabulary:
    name: str
    items: list[dict]
    _lookup: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items:
            for key in (item["code"], item["zh"], item["en"], *item.get("aliases", [])):
                self._lookup.setdefault(key.strip().lower(), item["code"])
        self.by_code = {item["code"]: item for item in self.items}

    def normalise(self, value: str) -> str:
        code = self._lookup.get(str(value).strip().lower())
        if code is None:
            raise UnknownLabel(self.name, value)
        return code

    def label(self, code: str | None, locale: str = "zh") -> str:
        item = self.by_code.get(code or "")
        if item is None:
            return code or ""
        return item["en"] if locale == "en" else item["zh"]

    def choices(self, locale: str = "zh") -> list[tuple[str, str]]:
        return [(item["code"], self.label(item["code"], locale)) for item in self.items]

    def __contains__(self, code: object) -> bool:
        return code in self.by_code


class Taxonomy:
    def __init__(self, raw: dict, talent: dict | None = None):
        self.raw = raw
        self.clusters = Vocabulary("clusters", raw["clusters"])
        self.services = Vocabulary("services", raw["services"])
        self.regions = Vocabulary("regions", raw["regions"])
        self.provider_kinds = Vocabulary("provider_kinds", raw["provider_kinds"])
        self.provider_levels = Vocabulary("provider_levels", raw["provider_levels"])
        talent = talent or {}
        self.talent = {name: Vocabulary(name, talent.get(name, [])) for name in TALENT_VOCABULARIES}

    def vocabulary(self, name: str) -> Vocabulary:
        if name in self.talent:
            return self.talent[name]
        return getattr(self, name)

    def level_rank(self, code: str | None) -> int:
        item = self.provider_levels.by_code.get(code or "none")
        return int(item["rank"]) if item else 0

    def title_rank(self, code: str | None) -> int:
        """A professional title's rank: 0 none, 1 初级 … 4 正高级."""
        item = self.talent["professional_titles"].by_code.get(code or "none")
        return int(item["rank"]) if item else 0

    def seniority(self, years: int | None) -> str:
        """The seniority band an anonymised card shows instead of exact years."""
        bands = sorted(self.talent["seniority_bands"].items, key=lambda b: b["min_years"])
        code = bands[0]["code"] if bands else ""
        for band in bands:
            if (years or 0) >= band["min_years"]:
                code = band["code"]
        return code

    def public(self) -> dict:
        """The shape served by GET /api/v1/taxonomy."""

        def strip(item: dict) -> dict:
            return {k: v for k, v in item.items() if k != "src"}

        return {name: [strip(i) for i in self.vocabulary(name).items] for name in VOCABULARIES}


@lru_cache(maxsize=1)
def get_taxonomy() -> Taxonomy:
    data = resources.files("matchmaker.data")
    return Taxonomy(
        json.loads(data.joinpath("taxonomy.json").read_text("utf-8")),
        json.loads(data.joinpath("talent.json").read_text("utf-8")),
    )
