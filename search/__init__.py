"""Search and matching: one interface, two backends (Elasticsearch, embedded).

This package knows nothing of Flask or of the app's models. It takes plain *records*
(dicts, see ``search.documents``) and returns ids, scores and reasons; the caller loads
rows from its database, which stays the source of truth.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEMANDS = "demands"
PROVIDERS = "providers"
TALENT = "talent"  # people of the talent pool (人才库), listed profiles only
OPENINGS = "openings"  # open talent needs (岗位)
EXPERTS = "experts"  # the expert pool (专家库), active experts only
INDICES = (DEMANDS, PROVIDERS, TALENT, OPENINGS, EXPERTS)


class SearchUnavailable(RuntimeError):
    """The engine cannot be reached; callers degrade instead of failing."""


@dataclass(frozen=True)
class Reason:
    """Why a hit scored: a signal code (API.md), a message key and its parameters.

    Parameters are taxonomy codes (``cluster``, ``clusters``, ``services``, ``region``,
    ``level``, ``kind``) or record text (``title``); the app turns the key into a translated
    sentence (``search.scoring`` lists the keys).
    """

    code: str
    message: str
    params: Mapping = field(default_factory=dict)


@dataclass
class Hit:
    id: int
    score: float
    reasons: list[Reason] = field(default_factory=list)


@dataclass
class FacetValue:
    code: str
    count: int


@dataclass
class Page:
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)


@dataclass
class SearchQuery:
    """Faceted search. ``filters`` maps a field to codes: OR within a field, AND across.

    Demand fields: cluster, service, region, status. Provider fields: cluster, service,
    region, level, kind, verified ("true"/"false"). Talent fields: speciality, cluster,
    region, title, seniority, availability (text searches taxonomy labels only: a profile's
    own words are private); experts have the same fields. Opening fields: speciality,
    cluster, region, status.
    ``ids`` restricts to those records.
    ``budget_min``/``budget_max`` keep demands whose budget range overlaps the given one.
    ``budget_top`` = (low, high) keeps demands whose top budget (``budget_max``, else
    ``budget_min``) is > low and ≤ high (None: unbounded), so that bands do not overlap;
    ``without_budget`` keeps those that state no budget at all.
    """

    index: str
    text: str = ""
    filters: Mapping[str, Collection[str]] = field(default_factory=dict)
    budget_min: int | None = None
    budget_max: int | None = None
    budget_top: tuple[int | None, int | None] | None = None
    without_budget: bool = False
    ids: Collection[int] | None = None
    sort: str = "relevance"  # relevance | newest | budget (demands)
    page: int = 1
    per_page: int = 20
    facets: Collection[str] = ()


@dataclass
class IndexStatus:
    index: str
    alias: str
    concrete: list[str]
    documents: int


Progress = Callable[[int], None]


class SearchBackend(abc.ABC):
    """What the app may ask of a search engine."""

    name: str

    @abc.abstractmethod
    def ensure_indices(self) -> None:
        """Create missing indices/aliases (idempotent)."""

    @abc.abstractmethod
    def index(self, index: str, records: Iterable[Mapping]) -> None:
        """Upsert records (each has ``id`` and ``version``); an older version never wins."""

    @abc.abstractmethod
    def delete(self, index: str, ids_with_versions: Iterable[tuple[int, int]]) -> None:
        """Remove records; a delete at version v beats any write below v."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> Page: ...

    @abc.abstractmethod
    def match_providers(
        self,
        demand: Mapping,
        k: int = 10,
        exclude: Collection[int] = (),
        damped: Collection[int] = (),
    ) -> list[Hit]:
        """Providers best suited to a demand record, best first, with reasons.

        ``damped``: ids of providers whose score is damped for exposure fairness (the caller
        decides who, from its own records; see ``search.scoring.DAMPING``).
        """

    @abc.abstractmethod
    def match_leads(
        self, provider: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        """Published demands best suited to a provider record, best first, with reasons."""

    @abc.abstractmethod
    def match_people(
        self, need: Mapping, k: int = 10, exclude: Collection[int] = (), pool: str = TALENT
    ) -> list[Hit]:
        """People best suited to a need record, best first, with reasons (``search.talent``):
        listed profiles of the talent pool (``TALENT``) or active experts (``EXPERTS``)."""

    @abc.abstractmethod
    def match_openings(
        self, profile: Mapping, k: int = 10, exclude: Collection[int] = ()
    ) -> list[Hit]:
        """Open talent needs best suited to a talent profile record, best first, with reasons."""

    @abc.abstractmethod
    def reindex(
        self, index: str, records: Iterable[Mapping], progress: Progress | None = None
    ) -> int:
        """Build a fresh index from ``records`` and swap it in atomically; returns the count."""

    @abc.abstractmethod
    def status(self) -> list[IndexStatus]: ...

    @abc.abstractmethod
    def refresh(self) -> None:
        """Make all writes visible to search (tests; Elasticsearch refreshes by itself)."""

    @abc.abstractmethod
    def drop_all(self) -> None:
        """Delete every index under this backend's prefix (tests, reset)."""

    @abc.abstractmethod
    def check_health(self, timeout: float) -> None:
        """Raise ``SearchUnavailable`` (saying why) unless the engine answers within ``timeout``
        seconds and can serve searches: readiness probes ask this, not a search."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""


def parse_nodes(value: str) -> list[str]:
    """``ELASTICSEARCH_URL``: one node's URL or several, comma-separated (a cluster's nodes).

    ValueError names the entry that is not an http(s) URL with a host.
    """
    nodes = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
    if not nodes:
        raise ValueError("no Elasticsearch node URL given")
    for node in nodes:
        try:
            parts = urlsplit(node)
            parts.port  # noqa: B018 — raises ValueError on a port that is not a number
        except ValueError:
            raise ValueError(f"not a URL: {node!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL with a host: {node!r}")
    return nodes


def create_backend(settings: Mapping, taxonomy: Mapping) -> SearchBackend:
    """``ELASTICSEARCH_URL`` set → Elasticsearch, else the embedded backend.

    ``settings`` keys: ELASTICSEARCH_URL (comma-separated nodes), ELASTICSEARCH_USERNAME,
    ELASTICSEARCH_PASSWORD, ELASTICSEARCH_API_KEY, ELASTICSEARCH_CA_CERTS,
    ELASTICSEARCH_VERIFY_CERTS, ELASTICSEARCH_TIMEOUT (seconds), SEARCH_BREAKER_SECONDS,
    SEARCH_INDEX_PREFIX, SEARCH_INDEX_REPLICAS, EMBEDDED_SEARCH_PATH. ``taxonomy`` is the
    parsed taxonomy.json.
    """
    if settings.get("ELASTICSEARCH_URL"):
        from .backends.elastic import ElasticBackend

        return ElasticBackend.from_settings(settings, taxonomy)
    from .backends.embedded import EmbeddedBackend

    return EmbeddedBackend.from_settings(settings, taxonomy)
