"""`make run` serves with its job worker, and stopping make (SIGTERM) stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.operations.conftest import closed_port

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not collected it yet


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_to_make_stops_the_server_and_the_worker(tmp_path):
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELASTICSEARCH_", "MAKE"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'matchmaker.sqlite3'}",
        MATCHMAKER_INSTANCE_PATH=str(tmp_path),
        SECRET_KEY="make-run-test",
    )
    bin_dir = Path(sys.executable).parent
    log = (tmp_path / "make.log").open("wb")
    # The installed package is this test run's: make must not reinstall it (-o).
    make = subprocess.Popen(
        ["make", "-s", "-o", ".venv/.installed", "run", f"PORT={port}", f"BIN={bin_dir}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    processes: list[int] = []
    try:
        deadline = time.monotonic() + 180  # migrations and the demo data come first
        while not _up(f"http://127.0.0.1:{port}/healthz"):
            assert make.poll() is None, (tmp_path / "make.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "make run did not serve within 180 s"
            time.sleep(0.5)
        [supervisor] = _children(make.pid)
        processes = [supervisor, *_children(supervisor)]
        commands = [(Path("/proc") / str(p) / "cmdline").read_bytes() for p in processes[1:]]
        assert any(b"worker" in c for c in commands) and any(b"run" in c for c in commands)

        make.send_signal(signal.SIGTERM)
        make.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_alive(p) for p in processes) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [p for p in processes if _alive(p)], "left running after make was stopped"
        assert not _up(f"http://127.0.0.1:{port}/healthz")
    finally:
        if make.poll() is None:
            make.kill()
            make.wait()
        for pid in processes:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
