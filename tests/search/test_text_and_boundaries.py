"""Segmentation, synonyms, package boundaries, outage behaviour, multi-process sharing."""

from __future__ import annotations

import ast
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from search import PROVIDERS, SearchQuery, SearchUnavailable, create_backend
from search.documents import provider_document
from search.text import _keep, _normalise, get_analyzer

from .conftest import DATA

ROOT = Path(__file__).resolve().parents[2]
NOT_PROJECT_FOLDERS = {".git", ".venv", "build", "node_modules"}


@pytest.fixture(scope="module")
def analyzer(taxonomy):
    return get_analyzer(taxonomy)


def test_segmentation_domain_words(analyzer):
    tokens = analyzer.tokens("我司需要一台手板样机，并做1:1油泥模型评审及CMF方案。")
    assert "手板" in tokens and "油泥模型" in tokens and "cmf" in tokens
    assert "，" not in tokens and "的" not in tokens and "我司" not in tokens
    assert not any(t.isdigit() for t in tokens)
    assert analyzer.tokens("智能网联新能源汽车") == analyzer.tokens("智能网联新能源汽车")
    assert {"新能源", "汽车", "智能网联新能源汽车"} <= set(analyzer.tokens("智能网联新能源汽车"))
    assert analyzer.segment("CMF 设计") == "cmf 设计"


def test_synonyms_from_taxonomy(analyzer):
    assert "样机制作" in analyzer.expand("手板")
    assert "手板" in analyzer.expand("样机制作")
    assert "外观设计" in analyzer.expand("造型")
    assert "智能网联新能源汽车" in analyzer.expand("新能源汽车")
    ((alternatives, parts),) = analyzer.query_units("外观设计")
    assert "造型设计" in alternatives and parts == ["外观", "设计"]
    doc = set(analyzer.tokens("产品外观造型设计"))
    assert doc & set(alternatives) or set(parts) <= doc


def test_weighted_terms_deterministic(analyzer):
    a = analyzer.weighted_terms([("外观设计", 1.5), ("手板样机", 1.0)])
    b = analyzer.weighted_terms([("外观设计", 1.5), ("手板样机", 1.0)])
    assert a == b and a["外观设计"] == 1.5 and a["造型设计"] == 0.75


def _texts():
    """Every text of the judged set and of the demo data: what segmentation must keep."""
    out = []
    for path in (
        DATA / "providers.jsonl",
        DATA / "demands.jsonl",
        ROOT / "matchmaker" / "data" / "demo" / "providers.jsonl",
        ROOT / "matchmaker" / "data" / "demo" / "demands.jsonl",
    ):
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            out += [v for v in record.values() if isinstance(v, str)]
            out += [
                f"{c.get('title') or ''} {c.get('description') or ''}"
                for c in record.get("cases") or ()
            ]
    return out


def test_segmentation_equals_python_jieba(analyzer):
    """jieba-rs segments as the Python jieba with the same words added (the tokens the ranking
    model was trained on), where two segmentations are exactly as likely too (纸卷|纸)."""
    reference = jieba.Tokenizer()
    reference.initialize()
    for word, freq in analyzer.added_words:
        reference.add_word(word, freq=freq)
    texts = _texts() + ["抽纸卷纸湿巾系列包装改版", "产品外观造型设计 CMF方案 3.5mm"]
    assert len(texts) > 1000
    for text in texts:
        normalised = _normalise(text)
        expected = [
            t
            for t in (r.strip() for r in reference.cut_for_search(normalised, HMM=False))
            if _keep(t)
        ]
        assert analyzer.tokens(text) == expected, text
        words = [t.strip() for t in reference.cut(normalised, HMM=False) if t.strip()]
        assert analyzer.words(text) == [t for t in words if _keep(t)], text


def test_provider_profile_is_name_and_description(analyzer, taxonomy, judged_set):
    """The profile's tokens are those of "name description" (its description segmented once)."""
    for record in judged_set[0]:
        doc = provider_document(record, analyzer, taxonomy)
        profile = f"{record.get('name') or ''} {record.get('description') or ''}"
        assert doc["text"] == analyzer.segment(profile)


def _python_files():
    """The project's Python files; the virtualenv and build folders are not walked into."""
    for folder, dirs, files in os.walk(ROOT):
        top = Path(folder) == ROOT
        dirs[:] = [
            d for d in dirs if d != "site-packages" and not (top and d in NOT_PROJECT_FOLDERS)
        ]
        for name in files:
            if name.endswith(".py"):
                path = Path(folder, name)
                yield path.relative_to(ROOT), path


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_search_imports_elasticsearch():
    offenders = [
        str(rel)
        for rel, path in _python_files()
        if rel.parts[0] != "search" and _imports(path) & {"elasticsearch", "elastic_transport"}
    ]
    assert offenders == []


def test_search_package_is_framework_free():
    offenders = [
        str(rel)
        for rel, path in _python_files()
        if rel.parts[0] == "search" and _imports(path) & {"flask", "matchmaker", "sqlalchemy"}
    ]
    assert offenders == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_elasticsearch_down_raises_search_unavailable(taxonomy):
    backend = create_backend(
        {"ELASTICSEARCH_URL": f"http://127.0.0.1:{_closed_port()}", "ELASTICSEARCH_TIMEOUT": 2},
        taxonomy,
    )
    try:
        with pytest.raises(SearchUnavailable):
            backend.search(SearchQuery(index=PROVIDERS, text="外观"))
        with pytest.raises(SearchUnavailable):
            backend.index(PROVIDERS, [{"id": 1, "version": 1, "name": "x"}])
        with pytest.raises(SearchUnavailable):
            backend.match_providers({"id": 1, "title": "外观设计", "cluster": "nev-ice"})
        with pytest.raises(SearchUnavailable):
            backend.status()
    finally:
        backend.close()


def test_create_backend_picks_embedded_without_url(taxonomy, tmp_path):
    backend = create_backend({"EMBEDDED_SEARCH_PATH": str(tmp_path / "s.sqlite3")}, taxonomy)
    assert backend.name == "embedded"
    backend.close()
    backend = create_backend({"EMBEDDED_SEARCH_PATH": ":memory:"}, taxonomy)
    backend.ensure_indices()
    backend.index(
        PROVIDERS,
        [
            {
                "id": 1,
                "version": 1,
                "name": "内存",
                "clusters": ["nev-ice"],
                "services": ["appearance-design"],
            }
        ],
    )
    assert backend.search(SearchQuery(index=PROVIDERS)).total == 1
    backend.close()


CHILD = r"""
import json, sys
from search import create_backend, SearchQuery
tax = json.load(open(sys.argv[2], encoding="utf-8"))
b = create_backend({"EMBEDDED_SEARCH_PATH": sys.argv[1]}, tax)
b.index("providers", [{"id": 7, "version": 2, "name": "另一进程写入", "clusters": ["nev-ice"],
                       "services": ["appearance-design"], "description": "车灯造型设计"}])
b.close()
"""


def test_embedded_shared_between_processes(taxonomy, tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    reader = create_backend({"EMBEDDED_SEARCH_PATH": path}, taxonomy)
    reader.ensure_indices()
    assert reader.search(SearchQuery(index=PROVIDERS, text="车灯")).total == 0
    subprocess.run(
        [sys.executable, "-c", CHILD, path, str(ROOT / "matchmaker" / "data" / "taxonomy.json")],
        check=True,
        cwd=str(ROOT),
        timeout=60,
    )
    page = reader.search(SearchQuery(index=PROVIDERS, text="车灯"))
    assert [h.id for h in page.hits] == [7]
    # a reindex in another instance is picked up too
    other = create_backend({"EMBEDDED_SEARCH_PATH": path}, taxonomy)
    other.reindex(
        PROVIDERS,
        [
            {
                "id": 8,
                "version": 1,
                "name": "重建",
                "clusters": ["nev-ice"],
                "services": ["appearance-design"],
                "description": "车灯设计",
            }
        ],
    )
    assert [h.id for h in reader.search(SearchQuery(index=PROVIDERS, text="车灯")).hits] == [8]
    other.close()
    reader.close()
