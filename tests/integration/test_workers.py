"""Several workers: password guesses are counted in one shared store, or the server won't start.

Real processes: ``matchmaker serve --workers 4`` (gunicorn) serving the app on the test
database, Redis as the rate-limit storage (the ``redis_url`` fixture), 40 guesses at once.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import at_once, csrf_token_from
from tests.factories import PASSWORD

MATCHMAKER = Path(sys.executable).with_name("matchmaker")
WORKERS = 4
ACCOUNT_LIMIT = 10
GUESSES = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, tmp_path: Path, storage_uri: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ELASTICSEARCH", "DATABASE", "WEB_", "PROMETHEUS_"))
    }
    env.update(
        DATABASE_URL=database_url,
        MATCHMAKER_INSTANCE_PATH=str(tmp_path / "instance"),
        SECRET_KEY="workers-test",
        RATELIMIT_STORAGE_URI=storage_uri,
        LOGIN_RATE_LIMIT=f"{ACCOUNT_LIMIT} per minute",
        LOGIN_IP_RATE_LIMIT="1000 per minute",  # all guesses come from 127.0.0.1: per account here
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="1024",
        ARGON2_PARALLELISM="1",
    )
    return env


def serve(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(
            [str(MATCHMAKER), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            requests.get(f"{url}/api/v1/taxonomy", timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def web_guess(url: str, email: str) -> int:
    with requests.Session() as browser:
        token = csrf_token_from(browser.get(f"{url}/login", timeout=30).text)
        data = {"email": email, "password": "wrong-password-1", "csrf_token": token}
        return browser.post(
            f"{url}/login", data=data, allow_redirects=False, timeout=60
        ).status_code


def api_guess(url: str, email: str) -> requests.Response:
    body = {"email": email, "password": "wrong-password-1"}
    return requests.post(f"{url}/api/v1/auth/token", json=body, timeout=60)


def test_forty_guesses_against_four_workers_are_throttled(database_url, redis_url, tmp_path, make):
    user = make.enterprise()
    email = user.email
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    process = serve(server_env(database_url, tmp_path, redis_url), port, WORKERS, log)
    try:
        wait_until_serving(process, url, log)
        banner = requests.get(f"{url}/", timeout=30).headers
        assert "Server" not in banner and "X-Powered-By" not in banner  # no software named
        # Half through the sign-in page, half through the API: one budget per account.
        results = at_once(
            [lambda: web_guess(url, email)] * (GUESSES // 2)
            + [lambda: api_guess(url, email).status_code] * (GUESSES // 2)
        )
        assert all(isinstance(r, int) for r in results), results
        checked = [r for r in results if r in (200, 401)]  # the password was really tried
        throttled = [r for r in results if r == 429]
        assert len(checked) + len(throttled) == GUESSES, results
        # Each guess takes its place in the shared budget before its password is checked.
        assert len(checked) == ACCOUNT_LIMIT, results
        print(
            f"{GUESSES} guesses, {WORKERS} workers: {len(checked)} checked, "
            f"{len(throttled)} throttled"
        )
        late = api_guess(url, email)
        assert late.status_code == 429 and int(late.headers["Retry-After"]) > 0
        # The right password waits too: the account is locked for the rest of the window.
        right = requests.post(
            f"{url}/api/v1/auth/token", json={"email": email, "password": PASSWORD}, timeout=60
        )
        assert right.status_code == 429
    finally:
        stop(process)


def test_several_workers_refuse_to_start_with_in_memory_limits(database_url, tmp_path):
    log = tmp_path / "gunicorn.log"
    process = serve(server_env(database_url, tmp_path, "memory://"), free_port(), WORKERS, log)
    try:
        process.wait(60)
    finally:
        stop(process)
    output = log.read_text()
    assert process.returncode != 0, output
    assert re.search(r"4 workers with RATELIMIT_STORAGE_URI=memory://", output), output
