"""ELASTICSEARCH_URL names one node or a cluster's nodes, comma-separated."""

from __future__ import annotations

import pytest

from search import parse_nodes


def test_one_or_several_nodes():
    assert parse_nodes("http://127.0.0.1:9200/") == ["http://127.0.0.1:9200"]
    assert parse_nodes(" https://es-1:9200, https://es-2:9200 ,") == [
        "https://es-1:9200",
        "https://es-2:9200",
    ]


@pytest.mark.parametrize("value", ["", " , ", "es-1:9200", "ftp://es-1", "http://es-1:port"])
def test_anything_else_is_refused_naming_the_entry(value):
    with pytest.raises(ValueError):
        parse_nodes(value)
