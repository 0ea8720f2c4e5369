#!/usr/bin/env python3
"""Scale-out drill: a 3-node Elasticsearch cluster on loopback loses its elected master while
`matchmaker serve` answers searches and writes.

    python scripts/drill.py [--seconds 45] [--kill-after 15] [--write-doc]   (make drill)

1. Starts three Elasticsearch nodes on 127.0.0.1 (HTTP 9411-9413, transport 9431-9433), each
   with its own config, data and log folders, from the distribution scripts/elasticsearch.py
   fetches and unpacks (same cache, same server user when run as root).
2. Loads the demo data into a fresh SQLite database, builds the indices with one replica and
   starts `matchmaker serve` (2 workers) with all three node URLs.
3. Runs searches (three clients) and writes (one client creating providers, each with a word
   of its own) for ``--seconds``; after ``--kill-after`` it kills (SIGKILL) the elected master.
4. Afterwards: every request must have been answered, `matchmaker search sync` empties the
   outbox, and every written provider must be found by its word.

Prints a transcript; ``--write-doc`` also puts it into docs/operations.md. Every process it
started is stopped at the end (the nodes' folders are deleted unless ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MATCHMAKER = Path(sys.executable).with_name("matchmaker")
HTTP_PORTS = (9411, 9412, 9413)
TRANSPORT_PORTS = (9431, 9432, 9433)
CLUSTER = "matchmaker-drill"
HEAP = "384m"
PASSWORD = "drill-password-2026"
DOC = ROOT / "docs" / "operations.md"
DOC_BEGIN = "<!-- drill output: written by scripts/drill.py --write-doc -->"
DOC_END = "<!-- end of drill output -->"


def _es_script():
    """scripts/elasticsearch.py, for its way of getting and running the server."""
    spec = importlib.util.spec_from_file_location(
        "matchmaker_es", ROOT / "scripts" / "elasticsearch.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Transcript:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lines: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, message: str) -> None:
        line = f"[{time.monotonic() - self.started:6.1f} s] {message}"
        with self.lock:
            self.lines.append(line)
        print(line, flush=True)


def http(
    method: str,
    url: str,
    body: dict | None = None,
    headers: dict | None = None,
    timeout: float = 30,
) -> tuple[int, dict | None]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, None


# -- the cluster ------------------------------------------------------------------------------
class Cluster:
    def __init__(self, log):
        self.es = _es_script()
        self.log = log
        self.folder = self.es.es_home() / "drill"
        self.nodes = [f"drill-{i}" for i in range(1, 4)]

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{HTTP_PORTS[i]}"

    def urls(self) -> str:
        return ",".join(self.url(i) for i in range(3))

    def start(self) -> None:
        es = self.es
        for port in HTTP_PORTS + TRANSPORT_PORTS:
            if es.port_in_use(port):
                raise SystemExit(f"port {port} is in use: stop whatever listens there first")
        version = es.es_version()
        java_home = es.find_java_home(version)
        dist = es.ensure_distribution(version, java_home)
        shutil.rmtree(self.folder, ignore_errors=True)
        for i, name in enumerate(self.nodes):
            self._configure(i, name, dist)
        if es.is_root():
            es.ensure_user(es.run_user())
            es.chown_tree(self.folder, es.run_user())
        launchers = [self._launch(i, name, dist, java_home) for i, name in enumerate(self.nodes)]
        for launcher in launchers:  # each returns once its node runs in the background (-d)
            if launcher.wait(timeout=300) != 0:
                raise SystemExit(f"a node did not start: see {self.folder}/*/console.log")
        self.log(f"three nodes starting (Elasticsearch {version}); waiting for green")
        health = self.health(0, wait="green", nodes=3, timeout=240)
        if health.get("status") != "green":
            raise SystemExit(f"the cluster did not become green: {health}")
        self.log(
            f"cluster {CLUSTER}: {health['number_of_nodes']} nodes, status green, "
            f"master {self.master()}"
        )

    def _configure(self, i: int, name: str, dist: Path) -> None:
        node = self.folder / name
        shutil.copytree(dist / "config", node / "config")
        for sub in ("data", "logs", "tmp"):
            (node / sub).mkdir(parents=True)
        seeds = ", ".join(f'"127.0.0.1:{p}"' for p in TRANSPORT_PORTS)
        masters = ", ".join(f'"{n}"' for n in self.nodes)
        with open(node / "config" / "elasticsearch.yml", "a") as handle:
            handle.write(
                f"\ncluster.name: {CLUSTER}\nnode.name: {name}\npath.data: {node / 'data'}\n"
                f"path.logs: {node / 'logs'}\nnetwork.host: 127.0.0.1\n"
                f"http.port: {HTTP_PORTS[i]}\ntransport.port: {TRANSPORT_PORTS[i]}\n"
                f"discovery.seed_hosts: [{seeds}]\ncluster.initial_master_nodes: [{masters}]\n"
                "xpack.security.enabled: false\n"
                "cluster.routing.allocation.disk.threshold_enabled: false\n"
                "action.destructive_requires_name: false\n"
            )
        options = node / "config" / "jvm.options.d"
        options.mkdir(exist_ok=True)
        (options / "heap.options").write_text(f"-Xms{HEAP}\n-Xmx{HEAP}\n")
        (options / "matchmaker.options").write_text(f"{self.es.MARKER_PROPERTY}{node}\n")

    def _launch(self, i: int, name: str, dist: Path, java_home: Path) -> subprocess.Popen:
        node = self.folder / name
        env = {
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(node / "config"),
            "ES_TMPDIR": str(node / "tmp"),
            "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={node / 'tmp'}",
        }
        command = [str(dist / "bin" / "elasticsearch"), "-d", "-p", str(node / "es.pid")]
        if self.es.is_root():
            command = [
                "runuser",
                "-u",
                self.es.run_user(),
                "--",
                "env",
                *(f"{k}={v}" for k, v in env.items()),
                *command,
            ]
        child_env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "ES_JAVA_OPTS")}
        with open(node / "console.log", "wb") as console:
            return subprocess.Popen(
                command,
                cwd=node,
                env={**child_env, **env},
                stdin=subprocess.DEVNULL,
                stdout=console,
                stderr=subprocess.STDOUT,
            )

    def pid(self, name: str) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.folder / name / "es.pid").read_text().strip())
        return None

    def health(
        self, i: int, wait: str = "yellow", nodes: int | None = None, timeout: int = 60
    ) -> dict:
        query = f"wait_for_status={wait}&timeout={timeout}s"
        if nodes:
            query += f"&wait_for_nodes={nodes}"
        deadline = time.monotonic() + timeout + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                return (
                    http("GET", f"{self.url(i)}/_cluster/health?{query}", timeout=timeout + 10)[1]
                    or {}
                )
            time.sleep(1)
        return {}

    def master(self, alive: list[int] | None = None) -> str | None:
        for i in alive if alive is not None else range(3):
            with contextlib.suppress(OSError, ValueError):
                status, body = http("GET", f"{self.url(i)}/_cat/master?format=json", timeout=5)
                if status == 200 and body:
                    return body[0]["node"]
        return None

    def kill(self, name: str) -> None:
        pid = self.pid(name)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self, keep: bool) -> None:
        pids = [p for p in (self.pid(n) for n in self.nodes) if p]
        self.es.terminate(pids, 60)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)


# -- the app ----------------------------------------------------------------------------------
class App:
    def __init__(self, folder: Path, es_urls: str, log):
        self.log = log
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ELASTICSEARCH_", "PROMETHEUS_", "WEB_", "DATABASE_"))
        }
        self.env.update(
            MATCHMAKER_INSTANCE_PATH=str(folder),
            ELASTICSEARCH_URL=es_urls,
            SEARCH_INDEX_REPLICAS="1",
            SEARCH_INDEX_PREFIX="drill-",
            SECRET_KEY="drill",
            ARGON2_TIME_COST="1",
            ARGON2_MEMORY_KIB="1024",
            ARGON2_PARALLELISM="1",
        )
        self.server: subprocess.Popen | None = None
        self.folder = folder

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [str(MATCHMAKER), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise SystemExit(f"matchmaker {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout.strip()

    def prepare(self) -> None:
        self.cli("db", "upgrade")
        self.log("demo data: " + self.cli("demo").splitlines()[-1])
        self.cli("search", "reindex")
        self.cli(
            "users",
            "create",
            "--email",
            "drill@example.cn",
            "--password",
            PASSWORD,
            "--role",
            "admin",
        )

    def start(self) -> None:
        log = (self.folder / "server.log").open("wb")
        self.server = subprocess.Popen(
            [str(MATCHMAKER), "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if http("GET", f"{self.base}/readyz", timeout=5)[0] == 200:
                    return
            time.sleep(0.5)
        raise SystemExit("matchmaker serve did not become ready")

    def token(self) -> str:
        status, body = http(
            "POST",
            f"{self.base}/api/v1/auth/token",
            {"email": "drill@example.cn", "password": PASSWORD},
        )
        assert status == 200, (status, body)
        return body["token"]

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- traffic ----------------------------------------------------------------------------------
class Traffic:
    """Searching and writing clients; every request's outcome is kept."""

    SEARCHES = tuple(
        urllib.parse.quote(path, safe="/?=&")
        for path in (
            "/api/v1/providers?q=设计",
            "/api/v1/demands?q=外观设计",
            "/api/v1/providers?q=结构&cluster=nev-ice",
            "/api/v1/demands?q=包装",
        )
    )

    def __init__(self, app: App, token: str):
        self.app, self.headers = app, {"Authorization": f"Bearer {token}"}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes: list[tuple[str, float, object, float]] = []  # kind, at, status, seconds
        self.written: dict[str, int] = {}  # word → provider id

    def _record(self, kind: str, started: float, status: object) -> None:
        with self.lock:
            self.outcomes.append((kind, started, status, time.monotonic() - started))

    def search(self, n: int) -> None:
        i = n
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = http(
                    "GET",
                    self.app.base + self.SEARCHES[i % len(self.SEARCHES)],
                    headers=self.headers,
                    timeout=30,
                )[0]
            except Exception as error:  # any failure is an unanswered search
                status = f"no answer ({type(error).__name__}: {error})"
            self._record("search", started, status)
            i += 1
            time.sleep(0.05)

    def write(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            word = f"drillw{n:04d}"
            body = {
                "name": f"演练设计工作室{n:04d}",
                "kind": "studio",
                "region": "yongchuan",
                "clusters": ["nev-ice"],
                "services": ["appearance-design"],
                "description": f"演练写入 {word} 外观设计与结构设计",
            }
            started = time.monotonic()
            try:
                status, created = http(
                    "POST",
                    f"{self.app.base}/api/v1/providers",
                    body,
                    headers=self.headers,
                    timeout=30,
                )
            except Exception as error:  # any failure is an unanswered write
                status, created = f"no answer ({type(error).__name__}: {error})", None
            self._record("write", started, status)
            if status == 201:
                self.written[word] = created["id"]
            time.sleep(0.25)

    def summary(self, kind: str) -> str:
        rows = [o for o in self.outcomes if o[0] == kind]
        statuses: dict[str, int] = {}
        for _, _, status, _ in rows:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        slowest = max((o[3] for o in rows), default=0)
        parts = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
        return f"{kind}: {len(rows)} requests, {parts}; slowest {1000 * slowest:.0f} ms"


def run(args) -> list[str]:
    log = Transcript()
    cluster = Cluster(log)
    folder = Path(tempfile.mkdtemp(prefix="matchmaker-drill-"))
    app = App(folder, cluster.urls(), log)
    try:
        cluster.start()
        app.prepare()
        settings = http("GET", f"{cluster.url(0)}/drill-*/_settings/index.number_of_replicas")[1]
        replicas = sorted({v["settings"]["index"]["number_of_replicas"] for v in settings.values()})
        log(f"indices {', '.join(sorted(settings))}: replicas {', '.join(replicas)}")
        app.start()
        log(
            f"matchmaker serve (2 workers) ready at {app.base} with ELASTICSEARCH_URL="
            f"{cluster.urls()}"
        )
        traffic = Traffic(app, app.token())
        clients = [threading.Thread(target=traffic.search, args=(n,)) for n in range(3)]
        clients.append(threading.Thread(target=traffic.write))
        for client in clients:
            client.start()
        log(f"traffic: 3 searching clients, 1 writing client, for {args.seconds} s")
        time.sleep(args.kill_after)
        master = cluster.master()
        cluster.kill(master)
        killed_at = time.monotonic()
        log(f"killed the elected master {master} (SIGKILL)")
        alive = [i for i, n in enumerate(cluster.nodes) if n != master]
        new_master = None
        while time.monotonic() - killed_at < 60 and not new_master:
            time.sleep(0.5)
            new_master = cluster.master(alive)
        log(f"new master {new_master} elected after {time.monotonic() - killed_at:.1f} s")
        time.sleep(max(0.0, args.seconds - args.kill_after - (time.monotonic() - killed_at)))
        traffic.stop.set()
        for client in clients:
            client.join()
        log(traffic.summary("search"))
        log(traffic.summary("write"))
        health = cluster.health(alive[0], wait="green", timeout=60)
        log(
            f"cluster after the loss: {health.get('number_of_nodes')} nodes, "
            f"status {health.get('status')}"
        )
        log("before sync: " + app.cli("search", "status").splitlines()[-1])
        log("matchmaker search sync: " + app.cli("search", "sync"))
        log("after sync: " + app.cli("search", "status").splitlines()[-1])
        time.sleep(2)  # one refresh interval
        found = 0
        for word, provider_id in traffic.written.items():
            status, body = http(
                "GET", f"{app.base}/api/v1/providers?q={word}", headers=traffic.headers
            )
            if status == 200 and provider_id in [item["id"] for item in body["items"]]:
                found += 1
        log(f"written providers found by their word: {found} of {len(traffic.written)}")
        expected = {"search": 200, "write": 201}
        failures = [o for o in traffic.outcomes if o[2] != expected[o[0]]]
        kinds = {o[0] for o in traffic.outcomes}
        pending = app.cli("search", "status").splitlines()[-1]
        ok = (
            not failures
            and kinds == set(expected)
            and found == len(traffic.written)
            and pending.endswith(": 0")
        )
        log(
            f"{'PASS' if ok else 'FAIL'}: {len(failures)} searches or writes not answered "
            f"as expected, {found} of {len(traffic.written)} writes searchable, {pending}"
        )
    finally:
        app.stop()
        cluster.stop(args.keep)
        shutil.rmtree(folder, ignore_errors=True)
    return log.lines


def write_doc(lines: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(DOC_BEGIN)
    _, _, tail = rest.partition(DOC_END)
    block = "\n".join(["```", *lines, "```"])
    DOC.write_text(f"{head}{DOC_BEGIN}\n{block}\n{DOC_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=45, help="traffic duration (45)")
    parser.add_argument("--kill-after", type=float, default=15, help="seconds before the kill")
    parser.add_argument("--keep", action="store_true", help="keep the nodes' folders")
    parser.add_argument(
        "--write-doc", action="store_true", help="put the output in docs/operations.md"
    )
    args = parser.parse_args(argv)
    lines = run(args)
    if args.write_doc:
        write_doc(lines)
    return 0 if lines and lines[-1].split("] ", 1)[1].startswith("PASS") else 1


if __name__ == "__main__":
    sys.exit(main())
