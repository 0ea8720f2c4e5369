"""Every log line of a request carries its id; the id is sent back and shown on error pages."""

from __future__ import annotations

import json
import logging
import re

import pytest

ID = re.compile(r"[0-9a-f]{32}")


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _crash():
    logging.getLogger("matchmaker.services.example").warning("about to fail")
    raise RuntimeError("boom")


def test_each_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert ID.fullmatch(first) and ID.fullmatch(second) and first != second


def test_a_proxy_request_id_is_kept_and_a_malformed_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a9c21"
    replaced = client.get("/healthz", headers={"X-Request-ID": 'x" {"level": "forged"}'})
    assert ID.fullmatch(replaced.headers["X-Request-ID"])


@pytest.mark.own_app  # adds a route
def test_every_log_line_of_a_request_is_json_with_its_id(app, client, capsys):
    app.add_url_rule("/_crash", "crash", _crash)
    capsys.readouterr()
    response = client.get("/_crash")
    request_id = response.headers["X-Request-ID"]
    lines = _json_lines(capsys.readouterr().err)
    by_logger = {line["logger"]: line for line in lines}
    assert {"matchmaker.services.example", "matchmaker", "matchmaker.access"} <= set(by_logger)
    assert all(line["request_id"] == request_id for line in lines)
    assert (
        by_logger["matchmaker"]["level"] == "ERROR"
        and "boom" in by_logger["matchmaker"]["exc_info"]
    )
    access = by_logger["matchmaker.access"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/_crash", 500)
    assert access["endpoint"] == "crash" and access["duration_ms"] >= 0
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", access["time"])


def test_a_line_outside_any_request_has_no_id(app, capsys):
    capsys.readouterr()
    logging.getLogger("matchmaker.jobs").warning("nightly run")
    [line] = _json_lines(capsys.readouterr().err)
    assert line["message"] == "nightly run" and line["request_id"] is None


@pytest.mark.own_app  # adds a route
@pytest.mark.parametrize("path", ["/no-such-page", "/_crash"])
def test_error_pages_show_the_request_id(app, client, path):
    app.add_url_rule("/_crash", "crash", _crash)
    response = client.get(path)
    assert response.status_code in (404, 500) and response.mimetype == "text/html"
    assert f"<code>{response.headers['X-Request-ID']}</code>" in response.get_data(as_text=True)


def test_text_logs_for_development(database_url, tmp_path, capsys):
    from matchmaker import create_app
    from tests.conftest import base_config

    app = create_app({**base_config(database_url, tmp_path), "LOG_FORMAT": "text"})
    capsys.readouterr()
    response = app.test_client().get("/healthz")
    err = capsys.readouterr().err
    assert f"INFO matchmaker.access [{response.headers['X-Request-ID']}] GET /healthz 200" in err


def test_behind_a_trusted_proxy_the_client_address_is_logged(database_url, tmp_path, capsys):
    from matchmaker import create_app
    from tests.conftest import base_config

    app = create_app({**base_config(database_url, tmp_path), "TRUSTED_PROXIES": 1})
    capsys.readouterr()
    app.test_client().get("/healthz", headers={"X-Forwarded-For": "203.0.113.9"})
    [access] = [
        line
        for line in _json_lines(capsys.readouterr().err)
        if line["logger"] == "matchmaker.access"
    ]
    assert access["remote_addr"] == "203.0.113.9"
