"""`matchmaker serve` really serves: gunicorn with two workers on a free loopback port, one
metrics view over both workers, JSON logs, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.operations.conftest import closed_port

MATCHMAKER = Path(sys.executable).with_name("matchmaker")


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_until_up(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while starting"
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s")


@pytest.fixture
def server(database_url, redis_url, tmp_path):
    port = closed_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ELASTICSEARCH_", "PROMETHEUS_", "WEB_"))
    }
    env.update(
        DATABASE_URL=database_url,
        MATCHMAKER_INSTANCE_PATH=str(tmp_path),
        SECRET_KEY="serve-test",
        LOG_FORMAT="json",
        RATELIMIT_STORAGE_URI=redis_url,  # several workers share their sign-in counters
    )
    stderr = (tmp_path / "stderr.log").open("wb")
    process = subprocess.Popen(
        [str(MATCHMAKER), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        yield process, f"http://127.0.0.1:{port}", tmp_path / "stderr.log"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stderr.close()


def test_serve_answers_with_two_workers_and_stops_cleanly(server):
    process, base, log = server
    # `serve` replaced itself with gunicorn's master: same process, its metrics folder known.
    environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
    metrics_dir = Path(
        next(v for v in environ if v.startswith(b"PROMETHEUS_MULTIPROC_DIR="))
        .split(b"=", 1)[1]
        .decode()
    )
    assert metrics_dir.is_dir()

    status, _, body = _get(f"{base}/readyz")
    assert status == 200 and json.loads(body) == {
        "checks": {"database": "ok", "search": "ok", "queue": "ok"}
    }
    ids = []
    for _ in range(8):
        status, headers, _ = _get(f"{base}/api/v1/taxonomy")
        assert status == 200
        ids.append(headers["X-Request-ID"])

    # Whichever worker answers /metrics counts the requests of both.
    _, _, metrics = _get(f"{base}/metrics")
    line = next(
        line
        for line in metrics.splitlines()
        if line.startswith("matchmaker_request_duration_seconds_count")
        and 'endpoint="api.taxonomy"' in line
    )
    assert float(line.rsplit(" ", 1)[1]) == 8

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not metrics_dir.exists()
    lines = [json.loads(text) for text in log.read_text().splitlines() if text.strip()]
    access = [line for line in lines if line["logger"] == "matchmaker.access"]
    assert sorted(line["request_id"] for line in access if line["path"] == "/api/v1/taxonomy") == (
        sorted(ids)
    )
    booted = {line["message"] for line in lines if line["logger"] == "gunicorn.error"}
    assert sum(message.startswith("Booting worker") for message in booted) == 2


def test_serve_does_not_name_its_server_software(server):
    """No ``Server`` banner (gunicorn's name) on pages, API answers, errors or static files."""
    _process, base, _log = server
    for path in ("/", "/login", "/api/v1/taxonomy", "/no-such-page", "/static/css/app.css"):
        status, headers, _ = _get(f"{base}{path}")
        assert status in (200, 404), path
        names = {name.lower() for name in headers}
        assert "server" not in names and "x-powered-by" not in names, (path, headers)
    # A request gunicorn itself refuses (a malformed request line) names no software either.
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"NOT A REQUEST\r\n\r\n")
        answer = raw.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 400") and "gunicorn" not in answer.lower(), answer
