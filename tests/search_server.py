"""Where the tests find a real Elasticsearch, and the one way they skip when there is none."""

from __future__ import annotations

import os

import pytest


def elasticsearch_url() -> str:
    """ELASTICSEARCH_URL; without it the calling test fails loudly, unless
    MATCHMAKER_SKIP_ELASTICSEARCH=1 asks to skip the tests that need the server."""
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        if os.environ.get("MATCHMAKER_SKIP_ELASTICSEARCH") == "1":
            pytest.skip("MATCHMAKER_SKIP_ELASTICSEARCH=1: Elasticsearch run skipped on request")
        pytest.fail(
            "ELASTICSEARCH_URL is not set: this test needs an Elasticsearch server "
            "(set MATCHMAKER_SKIP_ELASTICSEARCH=1 to skip such tests explicitly)"
        )
    return url
