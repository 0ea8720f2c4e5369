#!/usr/bin/env python3
"""Run the test suite (what `make test` runs): `python scripts/run_tests.py [pytest args]`.

1. Elasticsearch: with ELASTICSEARCH_URL set, the tests use that server. Otherwise a local one is
   started with scripts/elasticsearch.py on a free port, exported as ELASTICSEARCH_URL, and
   stopped at the end (also after a failure or Ctrl-C). If it cannot start, the run fails,
   unless neither Java nor Maven is installed and CI is not set: then it goes on with
   MATCHMAKER_SKIP_ELASTICSEARCH=1 and a loud warning.
2. pytest on SQLite (TEST_DATABASE_URL unset), all tests including the browser (e2e) ones.
3. If TEST_POSTGRES_URL is set: pytest again with TEST_DATABASE_URL=$TEST_POSTGRES_URL and
   -m "database and not e2e": only the tests whose fixtures reach the database (tests/conftest.py
   marks them from the fixture closure); the others cannot tell the two databases apart and
   already ran in pass 2.

Each pass runs in pytest-xdist workers, one per core (MATCHMAKER_TEST_WORKERS=N chooses N; 0 or
1 runs in one process; pytest arguments that choose -n, --dist or -p no:xdist win). Every worker
has its own SQLite file or PostgreSQL database (<database>_gw0, … created and dropped by the
fixtures, so the role needs CREATEDB), search files and upload folders; tests marked with an
xdist_group (the browser tests) stay together on one worker.

With CI set, MATCHMAKER_REQUIRE_POSTGRES=1 is exported so tests needing PostgreSQL fail instead
of skipping. Exits non-zero if any pass fails; "no tests collected" (pytest exit 5) is a failure.

Environment: ELASTICSEARCH_URL, TEST_POSTGRES_URL, CI, MATCHMAKER_TEST_WORKERS, and
MATCHMAKER_SKIP_ELASTICSEARCH=1 (not under CI) to run without Elasticsearch on purpose.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ES_SCRIPT = ROOT / "scripts" / "elasticsearch.py"
FALSY = {"", "0", "false", "no", "off"}
ANSI = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")
# The PostgreSQL pass: tests that reach the database, without the browser (see the docstring).
POSTGRES_MARKERS = "database and not e2e"
# pytest's last line: "==== 3 passed, 1 skipped in 1.23s ====" or "==== no tests ran in 0.01s ===="
SUMMARY = re.compile(r"^=+ (.*\bin [0-9.]+s\b.*?) =+$")


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in FALSY


def say(message: str) -> None:
    print(f"[run_tests] {message}", flush=True)


def banner(lines: list[str]) -> None:
    width = max(len(line) for line in lines) + 4
    print("\n" + "!" * width, flush=True)
    for line in lines:
        print(f"! {line}", flush=True)
    print("!" * width + "\n", flush=True)


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Terminated(Exception):
    """SIGTERM: treated like Ctrl-C, so cleanup still runs."""


class StartFailed(Exception):
    """Elasticsearch did not start and the run must not go on without it."""


class Runner:
    """Runs children one at a time; forwards SIGTERM to the current one."""

    def __init__(self) -> None:
        self.child: subprocess.Popen | None = None
        self.interrupted = False
        signal.signal(signal.SIGTERM, self._on_sigterm)

    def _on_sigterm(self, signum, frame):
        self.interrupted = True
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)
        raise Terminated()

    def wait(self, process: subprocess.Popen) -> int:
        """Wait for a child even through Ctrl-C (it got the SIGINT too and is cleaning up)."""
        while True:
            try:
                return process.wait()
            except (KeyboardInterrupt, Terminated):
                self.interrupted = True

    def run(
        self, command: list[str], env: dict | None = None, capture: bool = False, tee: bool = False
    ) -> tuple[int, str]:
        """Run a command; with capture, return its stdout; with tee, stream it and return its
        last 64 KB (stdout and stderr together)."""
        stdout = subprocess.PIPE if (capture or tee) else None
        stderr = subprocess.STDOUT if tee else None
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
        )
        self.child = process
        try:
            if capture:
                output = b""
                while True:
                    try:
                        output += process.stdout.read()
                        break
                    except (KeyboardInterrupt, Terminated):
                        self.interrupted = True
                return self.wait(process), output.decode("utf-8", "replace")
            if tee:
                recent = bytearray()
                out = sys.stdout.buffer
                fd = process.stdout.fileno()
                while True:
                    try:
                        chunk = os.read(fd, 65536)
                    except (KeyboardInterrupt, Terminated):
                        self.interrupted = True
                        continue
                    if not chunk:
                        break
                    out.write(chunk)
                    out.flush()
                    recent += chunk
                    del recent[:-65536]
                return self.wait(process), recent.decode("utf-8", "replace")
            return self.wait(process), ""
        finally:
            self.child = None
            if process.stdout is not None:
                process.stdout.close()


def java_or_maven_present() -> bool:
    """Whether Java or Maven is installed (then a failed Elasticsearch start is an error)."""
    if shutil.which("mvn") or shutil.which("java") or os.environ.get("ES_JAVA_HOME"):
        return True
    try:
        spec = importlib.util.spec_from_file_location("matchmaker_es_script", ES_SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.find_java_home(module.es_version())
        return True
    except Exception:
        return False


def pytest_summary(output: str) -> str:
    """pytest's final "N passed, M failed in Xs" line, if it printed one."""
    text = ANSI.sub(b"", output.encode("utf-8", "replace")).decode("utf-8", "replace")
    for line in reversed(text.splitlines()):
        match = SUMMARY.match(line.strip())
        if match:
            return match.group(1)
    return "no pytest summary (see the output above)"


def with_marker(args: list[str], expression: str) -> list[str]:
    """args plus `-m expression`, combined with any -m the caller already gave."""
    args = list(args)
    for index, arg in enumerate(args):
        if arg == "-m" and index + 1 < len(args):
            args[index + 1] = f"({args[index + 1]}) and ({expression})"
            return args
        if arg.startswith("-m") and len(arg) > 2 and not arg.startswith("--"):
            args[index] = f"-m({arg[2:]}) and ({expression})"
            return args
    return args + ["-m", expression]


def worker_count(env: dict) -> int:
    """MATCHMAKER_TEST_WORKERS, else one worker per core."""
    value = env.get("MATCHMAKER_TEST_WORKERS", "").strip()
    if value:
        try:
            return max(int(value), 0)
        except ValueError:
            say(f"ignoring MATCHMAKER_TEST_WORKERS={value!r}: not a number")
    return os.cpu_count() or 1


def with_workers(args: list[str], count: int) -> list[str]:
    """args plus pytest-xdist's `-n count --dist loadgroup`, unless the caller chose already."""
    chosen = ("-n", "--numprocesses", "--dist", "no:xdist")
    if count < 2 or any(arg.startswith(chosen) for arg in args):
        return list(args)
    return ["-n", str(count), "--dist", "loadgroup"] + list(args)


def pytest_command(args: list[str]) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    if sys.stdout.isatty() and not any(arg.startswith("--color") for arg in args):
        command.append("--color=yes")  # output goes through a pipe; keep the colours
    return command + args


def start_elasticsearch(runner: Runner, env: dict, ci: bool) -> int | None:
    """Start a server for this run; returns its port, or None if the tests go on without one."""
    port = free_port()
    say(f"starting a local Elasticsearch on port {port} (set ELASTICSEARCH_URL to use another)")
    started = time.monotonic()
    code, output = runner.run(
        [sys.executable, str(ES_SCRIPT), "start", "--port", str(port)], env=env, capture=True
    )
    if runner.interrupted:
        return port  # the caller stops whatever got started and exits
    url = output.strip().splitlines()[-1] if output.strip() else ""
    if code == 0 and url:
        env["ELASTICSEARCH_URL"] = url
        say(f"Elasticsearch ready at {url} ({time.monotonic() - started:.1f}s)")
        return port
    if ci or java_or_maven_present():
        why = "CI is set" if ci else "Java or Maven is installed"
        raise StartFailed(
            f"Elasticsearch did not start (exit {code}; see above) and {why}, "
            "so the run fails rather than skip its tests"
        )
    env["MATCHMAKER_SKIP_ELASTICSEARCH"] = "1"
    banner(
        [
            "WARNING: no Elasticsearch: neither Java nor Maven is installed.",
            "Tests that need a real Elasticsearch server will be SKIPPED",
            "(MATCHMAKER_SKIP_ELASTICSEARCH=1). Install a JDK 17 and Maven",
            "(Debian: apt-get install openjdk-17-jdk-headless maven unzip)",
            "or set ELASTICSEARCH_URL to run them.",
        ]
    )
    return port


def stop_elasticsearch(runner: Runner, port: int) -> None:
    # Not interruptible by a second Ctrl-C: leaving a JVM behind would be worse.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        subprocess.run(
            [sys.executable, str(ES_SCRIPT), "stop", "--port", str(port), "--purge"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    finally:
        signal.signal(signal.SIGINT, previous)


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    runner = Runner()
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env["PYTHONUNBUFFERED"] = "1"
    ci = truthy(env.get("CI"))
    if ci:
        env["MATCHMAKER_REQUIRE_POSTGRES"] = "1"
    postgres_url = env.get("TEST_POSTGRES_URL", "").strip()

    es_port = None
    results: list[tuple[str, int, str, float]] = []
    try:
        if env.get("ELASTICSEARCH_URL", "").strip():
            say(f"using ELASTICSEARCH_URL={redact(env['ELASTICSEARCH_URL'])}")
            env.pop("MATCHMAKER_SKIP_ELASTICSEARCH", None)
        elif truthy(env.get("MATCHMAKER_SKIP_ELASTICSEARCH")):
            if ci:
                say("error: MATCHMAKER_SKIP_ELASTICSEARCH is set, but CI runs every test")
                return 2
            banner(
                [
                    "WARNING: MATCHMAKER_SKIP_ELASTICSEARCH is set: tests that need a real",
                    "Elasticsearch server will be SKIPPED.",
                ]
            )
        else:
            try:
                es_port = start_elasticsearch(runner, env, ci)
            except StartFailed as error:
                say(f"error: {error}")
                return 1

        if runner.interrupted:
            say("interrupted")
            return 130
        argv = with_workers(argv, worker_count(env))
        passes = [("SQLite", {}, argv)]
        if postgres_url:
            passes.append(
                (
                    "PostgreSQL",
                    {"TEST_DATABASE_URL": postgres_url},
                    with_marker(argv, POSTGRES_MARKERS),
                )
            )
        else:
            say("TEST_POSTGRES_URL is not set: PostgreSQL pass skipped")

        for number, (name, extra, args) in enumerate(passes, 1):
            if runner.interrupted:
                break
            label = f"pass {number}/{len(passes)} ({name})"
            shown = f" with TEST_DATABASE_URL={redact(postgres_url)}" if extra else ""
            say(f"{label}{shown}: pytest {shlex.join(args)}".rstrip())
            started = time.monotonic()
            code, output = runner.run(pytest_command(args), env={**env, **extra}, tee=True)
            results.append((label, code, pytest_summary(output), time.monotonic() - started))
    except (KeyboardInterrupt, Terminated):
        runner.interrupted = True
    finally:
        if es_port is not None:
            stop_elasticsearch(runner, es_port)

    print(flush=True)
    for label, code, summary, seconds in results:
        verdict = "OK" if code == 0 else ("NO TESTS COLLECTED" if code == 5 else "FAILED")
        say(f"{label}: {verdict} (pytest exit {code}, {seconds:.1f}s): {summary}")
    if runner.interrupted:
        say("interrupted")
        return 130
    failed = [code for _, code, _, _ in results if code != 0]
    if not failed:
        return 0
    return failed[0] if failed[0] > 0 else 128 - failed[0]  # killed by a signal: 128 + N


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
