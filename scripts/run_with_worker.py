#!/usr/bin/env python3
"""`make run`'s two processes: the development server and one job worker, stopped together.

A shell trap in the recipe is not enough: when make itself is sent SIGTERM it exits without
passing the signal on, and the recipe's shell, server and worker run on. This supervisor is
make's own child (the recipe ``exec``s it) and asks the kernel for SIGTERM when make goes
(Linux's parent-death signal). Whatever stops it — that signal, TERM, INT, HUP, or one of
the two exiting — it stops both process groups (the server's reloader, when on, included),
waits for them, and exits.

    python scripts/run_with_worker.py --port 5000 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 10
MATCHMAKER = Path(sys.executable).with_name("matchmaker")


class Stop(Exception):
    pass


def _on_parent_death(sig: int) -> None:
    """The kernel sends ``sig`` to this process when its parent exits (Linux; else nothing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def _start(command: list[str]) -> subprocess.Popen:
    # Its own process group, so that stopping it reaches whatever it forked; and it ends if
    # this supervisor is killed outright.
    return subprocess.Popen(
        command, start_new_session=True, preexec_fn=lambda: _on_parent_death(signal.SIGTERM)
    )


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args(argv)

    parent = os.getppid()
    _on_parent_death(signal.SIGTERM)

    def stop(signum, _frame):
        raise Stop(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    children: list[subprocess.Popen] = []
    code = 0
    try:
        if os.getppid() != parent:
            raise Stop("make exited before the supervisor was ready")
        children.append(_start([str(MATCHMAKER), "worker"]))
        children.append(
            _start([str(MATCHMAKER), "run", "--host", args.host, "--port", str(args.port)])
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        code = next(child.returncode for child in children if child.returncode is not None)
        code = code if code >= 0 else 128 - code  # killed by a signal: the shell's convention
    except (Stop, KeyboardInterrupt):
        pass
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut the cleanup short
        _stop(children)
    return code


if __name__ == "__main__":
    sys.exit(main())
