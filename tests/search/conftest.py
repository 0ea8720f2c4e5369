"""Search fixtures: the same tests run against both backends.

``backend`` is parametrised: ``embedded`` (a SQLite file in a temporary directory) and
``elasticsearch`` (the server at ``ELASTICSEARCH_URL``, indices under a random test
prefix, dropped afterwards). Without ``ELASTICSEARCH_URL`` the Elasticsearch run fails
loudly, unless ``MATCHMAKER_SKIP_ELASTICSEARCH=1`` is set.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from pathlib import Path

import pytest

from search import create_backend
from tests.search_server import elasticsearch_url

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
BACKENDS = ["embedded", "elasticsearch"]


@pytest.fixture(scope="session")
def taxonomy():
    with open(ROOT / "matchmaker" / "data" / "taxonomy.json", encoding="utf-8") as fh:
        return json.load(fh)


def make_backend(kind: str, taxonomy, tmp_path: Path):
    if kind == "embedded":
        settings = {"EMBEDDED_SEARCH_PATH": str(tmp_path / "search.sqlite3")}
    else:
        settings = {
            "ELASTICSEARCH_URL": elasticsearch_url(),
            "SEARCH_INDEX_PREFIX": f"test-{uuid.uuid4().hex[:10]}-",
            "SEARCH_INDEX_REPLICAS": 0,
        }
    backend = create_backend(settings, taxonomy)
    backend.ensure_indices()
    return backend


@pytest.fixture(params=BACKENDS)
def backend(request, taxonomy, tmp_path):
    backend = make_backend(request.param, taxonomy, tmp_path)
    try:
        yield backend
    finally:
        backend.drop_all()
        backend.close()


def script(name: str):
    """A module of ``scripts/`` (evaluation code is not part of the ``search`` package)."""
    module = sys.modules.get(f"scripts_{name}")
    if module is None:
        scripts = str(ROOT / "scripts")
        if scripts not in sys.path:
            sys.path.append(scripts)  # after site-packages: scripts/elasticsearch.py stays hidden
        spec = importlib.util.spec_from_file_location(
            f"scripts_{name}", ROOT / "scripts" / f"{name}.py"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def judged_set():
    return script("judged_set").load_judged_set(DATA)
