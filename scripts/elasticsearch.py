#!/usr/bin/env python3
"""Run a local single-node Elasticsearch for development and tests (standard library only).

    python scripts/elasticsearch.py start [--port N] [--timeout S]   # prints the URL
    python scripts/elasticsearch.py stop [--port N | --all] [--purge]
    python scripts/elasticsearch.py status [--port N]
    python scripts/elasticsearch.py url [--port N]

No Debian or PyPI package ships an Elasticsearch server, so this fetches Elastic's minimal
server distribution (the "integ-test-zip", a published Maven artifact) with Maven, unpacks it
once, and runs one server per HTTP port on 127.0.0.1 with security off, a 512 MB heap and the
disk watermarks disabled. It needs a JDK (17+ for 8.x), `mvn` (only while the zip is not yet in
the local Maven repository) and `unzip` (only to unpack it once).

Elasticsearch refuses to run as root: when started by root the server runs as a system user
(created when missing), so the working folder must be reachable by that user.

`start` reuses a healthy server that this script started on the same port. `stop` stops only
servers that this script started (found by pid file and by a marker on their command line),
never another Elasticsearch that happens to listen on the port.

Layout under MATCHMAKER_ES_HOME:
    dist/elasticsearch-<version>/     the unpacked distribution, shared by all instances
    instances/<port>/                 config, data, logs, tmp, es.pid, console.log, instance.json

Environment (all optional):
    MATCHMAKER_ES_VERSION        server version (default 8.19.21; its major must match the
                                 `elasticsearch` client's major)
    MATCHMAKER_ES_HOME           working folder (default /var/tmp/matchmaker-elasticsearch,
                                 or /var/tmp/matchmaker-elasticsearch-<user> for non-root users)
    MATCHMAKER_ES_PORT           default HTTP port (9200)
    MATCHMAKER_ES_HEAP           JVM heap size (512m)
    MATCHMAKER_ES_USER           user the server runs as when started by root (elasticsearch)
    MATCHMAKER_ES_START_TIMEOUT  seconds to wait for the server to become healthy (180)
    MATCHMAKER_M2_REPO           Maven local repository (default ~/.m2/repository)
    ES_JAVA_HOME                 JDK to run the server with (default: a suitable JDK found
                                 under /usr/lib/jvm, JAVA_HOME or `java` on PATH)
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_VERSION = "8.19.21"
DEFAULT_PORT = 9200
DEFAULT_HEAP = "512m"
DEFAULT_USER = "elasticsearch"
DEFAULT_START_TIMEOUT = 180.0
STOP_TIMEOUT = 60.0
HOST = "127.0.0.1"
MAVEN_GROUP = "org.elasticsearch.distribution.integ-test-zip"
MAVEN_ARTIFACT = "elasticsearch"
MARKER_PROPERTY = "-Dmatchmaker.es.instance="


class Failure(Exception):
    """An error with a message meant for the user; exits non-zero without a traceback."""


class Interrupted(Exception):
    """SIGINT or SIGTERM while starting: clean up what was started, then exit."""


def log(message: str) -> None:
    print(f"[elasticsearch] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Settings


def es_version() -> str:
    version = os.environ.get("MATCHMAKER_ES_VERSION", "").strip() or DEFAULT_VERSION
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise Failure(f"MATCHMAKER_ES_VERSION must look like 8.19.21, not {version!r}")
    return version


def is_root() -> bool:
    return os.geteuid() == 0


def es_home() -> Path:
    configured = os.environ.get("MATCHMAKER_ES_HOME", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    if is_root():
        return Path("/var/tmp/matchmaker-elasticsearch")
    return Path(f"/var/tmp/matchmaker-elasticsearch-{pwd.getpwuid(os.geteuid()).pw_name}")


def default_port() -> int:
    value = os.environ.get("MATCHMAKER_ES_PORT", "").strip()
    return parse_port(value) if value else DEFAULT_PORT


def parse_port(value: str | int) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise Failure(f"invalid port {value!r}") from None
    if not 1 <= port <= 65535:
        raise Failure(f"invalid port {port}: must be between 1 and 65535")
    return port


def heap_size() -> str:
    heap = os.environ.get("MATCHMAKER_ES_HEAP", "").strip() or DEFAULT_HEAP
    if not re.fullmatch(r"\d+[kKmMgG]", heap):
        raise Failure(f"MATCHMAKER_ES_HEAP must look like 512m or 1g, not {heap!r}")
    return heap


def run_user() -> str:
    return os.environ.get("MATCHMAKER_ES_USER", "").strip() or DEFAULT_USER


def start_timeout() -> float:
    value = os.environ.get("MATCHMAKER_ES_START_TIMEOUT", "").strip()
    try:
        return float(value) if value else DEFAULT_START_TIMEOUT
    except ValueError as exc:
        raise Failure(
            f"MATCHMAKER_ES_START_TIMEOUT must be a number of seconds, not {value!r}"
        ) from exc


def maven_repo() -> Path:
    configured = os.environ.get("MATCHMAKER_M2_REPO", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return Path.home() / ".m2" / "repository"


def url_for(port: int) -> str:
    return f"http://{HOST}:{port}"


def cluster_name(port: int) -> str:
    return f"matchmaker-{port}"


def dist_dir(version: str) -> Path:
    return es_home() / "dist" / f"elasticsearch-{version}"


def instances_dir() -> Path:
    return es_home() / "instances"


def instance_dir(port: int) -> Path:
    return instances_dir() / str(port)


# --------------------------------------------------------------------------------------------
# Small helpers


@contextlib.contextmanager
def file_lock(path: Path):
    """An exclusive advisory lock, so concurrent runs don't unpack or start the same thing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tail(path: Path, lines: int = 60) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])


def http_json(url: str, timeout: float) -> dict:
    # Talk to loopback directly, whatever http_proxy says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with opener.open(request, timeout=timeout) as response:
        return json.load(response)


def cluster_health(port: int, wait_seconds: float = 0) -> dict | None:
    """Cluster health if the server answers with yellow or green, else None."""
    query = "wait_for_status=yellow"
    if wait_seconds > 0:
        query += f"&timeout={max(1, int(wait_seconds))}s"
    try:
        health = http_json(f"{url_for(port)}/_cluster/health?{query}", timeout=wait_seconds + 5)
    except (OSError, ValueError, urllib.error.URLError):
        return None
    if health.get("timed_out") or health.get("status") not in ("yellow", "green"):
        return None
    return health


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is as good as gone.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def instance_markers(port: int) -> set[str]:
    """Command-line arguments that only processes of this instance carry."""
    inst = instance_dir(port)
    return {
        f"{MARKER_PROPERTY}{inst}",  # the server JVM (from config/jvm.options.d)
        f"-Des.path.conf={inst / 'config'}",  # the launcher JVM
    }


def instance_pids(port: int) -> list[int]:
    """Processes started by this script for this port: the pid file plus a /proc scan."""
    markers = instance_markers(port)
    pids: set[int] = set()
    pid_file = instance_dir(port) / "es.pid"
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text().strip())
        if pid_alive(pid) and markers.intersection(cmdline(pid)):
            pids.add(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if pid != os.getpid() and markers.intersection(cmdline(pid)) and pid_alive(pid):
                pids.add(pid)
    return sorted(pids)


def read_state(port: int) -> dict:
    with contextlib.suppress(OSError, ValueError):
        return json.loads((instance_dir(port) / "instance.json").read_text())
    return {}


def known_ports() -> list[int]:
    try:
        return sorted(int(p.name) for p in instances_dir().iterdir() if p.name.isdigit())
    except OSError:
        return []


# --------------------------------------------------------------------------------------------
# Prerequisites


def java_major(java_home: Path) -> int | None:
    release = java_home / "release"
    with contextlib.suppress(OSError):
        match = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', release.read_text(), re.M)
        if match:
            major = int(match.group(1))
            return int(match.group(2)) if major == 1 and match.group(2) else major
    java = java_home / "bin" / "java"
    if not os.access(java, os.X_OK):
        return None
    try:
        result = subprocess.run(
            [str(java), "-version"],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def find_java_home(version: str) -> Path:
    """ES_JAVA_HOME, else the lowest suitable LTS JDK found (17 for 8.x, 21 for 9.x)."""
    minimum = 17 if int(version.split(".")[0]) <= 8 else 21
    configured = os.environ.get("ES_JAVA_HOME", "").strip()
    if configured:
        home = Path(configured)
        major = java_major(home)
        if major is None:
            raise Failure(f"ES_JAVA_HOME={configured} does not contain a working bin/java")
        if major < minimum:
            raise Failure(
                f"ES_JAVA_HOME={configured} is Java {major}; "
                f"Elasticsearch {version} needs Java {minimum} or newer"
            )
        return home
    candidates: list[Path] = []
    with contextlib.suppress(OSError):
        candidates += sorted(Path("/usr/lib/jvm").iterdir())
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    java_on_path = shutil.which("java")
    if java_on_path:
        candidates.append(Path(os.path.realpath(java_on_path)).parent.parent)
    found: dict[Path, int] = {}
    for candidate in candidates:
        real = Path(os.path.realpath(candidate))
        if real in found or not (real / "bin" / "java").exists():
            continue
        major = java_major(real)
        if major is not None and major >= minimum:
            found[real] = major
    if not found:
        raise Failure(
            f"no Java {minimum}+ found for Elasticsearch {version}: install one "
            f"(Debian: apt-get install openjdk-17-jdk-headless) or set ES_JAVA_HOME"
        )
    # Prefer the LTS releases Elasticsearch is tested with, the oldest suitable one first.
    lts = [17, 21, 25]
    return min(found, key=lambda home: (found[home] not in lts, found[home], str(home)))


def artifact_paths(version: str) -> tuple[Path, str]:
    folder = maven_repo().joinpath(*MAVEN_GROUP.split("."), MAVEN_ARTIFACT, version)
    coordinates = f"{MAVEN_GROUP}:{MAVEN_ARTIFACT}:{version}:zip"
    return folder / f"{MAVEN_ARTIFACT}-{version}.zip", coordinates


def fetch_zip(version: str, java_home: Path) -> Path:
    """The distribution zip from the local Maven repository, fetched with `mvn` if missing."""
    zip_path, coordinates = artifact_paths(version)
    if zip_path.is_file():
        return zip_path
    mvn = shutil.which("mvn")
    if not mvn:
        raise Failure(
            f"Maven (`mvn`) is needed once to fetch {coordinates} (not cached at {zip_path}): "
            "install it (Debian: apt-get install maven) or put the zip there"
        )
    log(f"fetching {coordinates} with Maven (about 110 MB, cached afterwards) ...")
    started = time.monotonic()
    env = dict(os.environ)
    env.setdefault("JAVA_HOME", str(java_home))
    command = [
        mvn,
        "-q",
        "-B",
        f"-Dmaven.repo.local={maven_repo()}",
        "dependency:get",
        f"-Dartifact={coordinates}",
        "-Dtransitive=false",
    ]
    result = subprocess.run(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if result.returncode != 0 or not zip_path.is_file():
        output = "\n".join(result.stdout.splitlines()[-40:])
        raise Failure(f"`{' '.join(command)}` failed (exit {result.returncode}):\n{output}")
    log(f"fetched in {time.monotonic() - started:.1f}s: {zip_path}")
    return zip_path


def verify_sha1(zip_path: Path) -> None:
    checksum_file = zip_path.with_name(zip_path.name + ".sha1")
    try:
        expected = checksum_file.read_text().split()[0].strip().lower()
    except (OSError, IndexError):
        return
    digest = hashlib.sha1()
    with open(zip_path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise Failure(f"{zip_path} does not match its .sha1 checksum; delete it and retry")


def ensure_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
        return
    except KeyError:
        pass
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    log(f"creating system user {user!r} to run Elasticsearch (it refuses to run as root)")
    nologin = "/usr/sbin/nologin" if os.path.exists("/usr/sbin/nologin") else "/bin/false"
    result = subprocess.run(
        [useradd, "--system", "--no-create-home", "--shell", nologin, user],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise Failure(f"could not create user {user!r}: {result.stderr.strip()}")


def chown_tree(path: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), entry.pw_uid, entry.pw_gid)


def ensure_distribution(version: str, java_home: Path) -> Path:
    """Unpack the distribution once; later calls return at once."""
    dist = dist_dir(version)
    done_marker = dist / ".unpacked"
    if done_marker.exists():
        return dist
    with file_lock(es_home() / "dist" / ".lock"):
        if done_marker.exists():
            return dist
        zip_path = fetch_zip(version, java_home)
        unzip = shutil.which("unzip")
        if not unzip:
            raise Failure(
                "`unzip` is needed once to unpack Elasticsearch (Debian: apt-get install unzip)"
            )
        verify_sha1(zip_path)
        log(f"unpacking {zip_path.name} into {dist.parent} ...")
        if dist.exists():
            shutil.rmtree(dist)  # a half-finished earlier attempt
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dist.parent))
        try:
            result = subprocess.run(
                [unzip, "-q", str(zip_path), "-d", str(staging)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise Failure(f"unzip failed (exit {result.returncode}): {result.stderr.strip()}")
            unpacked = staging / f"elasticsearch-{version}"
            if not (unpacked / "bin" / "elasticsearch").is_file():
                raise Failure(f"{zip_path} has no elasticsearch-{version}/bin/elasticsearch")
            os.rename(unpacked, dist)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if is_root():
            ensure_user(run_user())
            chown_tree(dist, run_user())
        done_marker.touch()
    return dist


def check_reachable(path: Path, user: str) -> None:
    """Fail early, with a clear message, if the server user can't get to the distribution."""
    result = subprocess.run(
        ["runuser", "-u", user, "--", "test", "-x", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd="/",
    )
    if result.returncode != 0:
        raise Failure(
            f"user {user!r} cannot reach {path}; set MATCHMAKER_ES_HOME to a folder "
            "every user can traverse (under /var/tmp, not in a private home folder)"
        )


# --------------------------------------------------------------------------------------------
# Commands


def configure_instance(port: int, version: str, dist: Path) -> Path:
    """Fresh config (copied from the distribution) for one port; data survives restarts."""
    inst = instance_dir(port)
    inst.mkdir(parents=True, exist_ok=True)
    for stale in ("config", "tmp"):
        shutil.rmtree(inst / stale, ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (inst / "es.pid").unlink()
    shutil.copytree(dist / "config", inst / "config")
    for folder in ("data", "logs", "tmp"):
        (inst / folder).mkdir(exist_ok=True)
    settings = f"""
# ---- added by scripts/elasticsearch.py: a disposable single-node server on loopback ----
cluster.name: {cluster_name(port)}
node.name: {cluster_name(port)}
path.data: {inst / "data"}
path.logs: {inst / "logs"}
discovery.type: single-node
network.host: {HOST}
http.port: {port}
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
"""
    with open(inst / "config" / "elasticsearch.yml", "a") as handle:
        handle.write(settings)
    options = inst / "config" / "jvm.options.d"
    options.mkdir(exist_ok=True)
    heap = heap_size()
    (options / "heap.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
    # Marks the server JVM's command line so `stop` finds exactly this instance's processes.
    (options / "matchmaker.options").write_text(f"{MARKER_PROPERTY}{inst}\n")
    (inst / "instance.json").write_text(
        json.dumps(
            {"version": version, "port": port, "url": url_for(port), "home": str(dist)}, indent=2
        )
    )
    if is_root():
        chown_tree(inst, run_user())
    return inst


def terminate(pids: list[int], timeout: float) -> list[int]:
    """SIGTERM, wait, then SIGKILL; returns the pids that had to be killed."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(pid_alive(pid) for pid in pids):
        time.sleep(0.2)
    killed = [pid for pid in pids if pid_alive(pid)]
    for pid in killed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(pid_alive(pid) for pid in killed):
        time.sleep(0.1)
    return killed


def stop_port(port: int, purge: bool = False, quiet: bool = False) -> bool:
    """Stop this script's server on `port`; True if one was running."""
    pids = instance_pids(port)
    if pids:
        started = time.monotonic()
        killed = terminate(pids, STOP_TIMEOUT)
        how = f"killed after {STOP_TIMEOUT:.0f}s" if killed else "stopped"
        if not quiet:
            log(
                f"{how} the server on port {port} (pid {', '.join(map(str, pids))}) "
                f"in {time.monotonic() - started:.1f}s"
            )
        with contextlib.suppress(FileNotFoundError):
            (instance_dir(port) / "es.pid").unlink()
    elif not quiet:
        log(f"no server started by this script is running on port {port}")
    if purge:
        shutil.rmtree(instance_dir(port), ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            (instances_dir() / f"{port}.lock").unlink()
    return bool(pids)


def running_healthy(port: int, wait_seconds: float = 0) -> dict | None:
    """Health of this script's server on `port`, if it is running and healthy."""
    if not instance_pids(port):
        return None
    health = cluster_health(port, wait_seconds)
    if health and health.get("cluster_name") == cluster_name(port):
        return health
    return None


def print_log_tail(inst: Path) -> None:
    text = tail(inst / "console.log") or tail(inst / "logs" / f"{cluster_name(inst.name)}.log")
    if text:
        print(f"---- last lines of {inst / 'console.log'} ----", file=sys.stderr)
        print(text, file=sys.stderr)
        print("---- end of log ----", file=sys.stderr, flush=True)
    else:
        log(f"no log output in {inst}")


def _raise_interrupted(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def start(port: int, timeout: float) -> str:
    version = es_version()
    inst = instance_dir(port)
    with file_lock(instances_dir() / f"{port}.lock"):
        if instance_pids(port):
            state = read_state(port)
            if state.get("version") not in (None, version):
                raise Failure(
                    f"Elasticsearch {state['version']} (started by this script) runs "
                    f"on port {port}; stop it first: "
                    f"scripts/elasticsearch.py stop --port {port}"
                )
            health = running_healthy(port, wait_seconds=min(timeout, 60))
            if health:
                log(f"reusing the running server on port {port} (status {health['status']})")
                return url_for(port)
            log(f"the server on port {port} is running but not healthy; restarting it")
            stop_port(port)
        if port_in_use(port):
            raise Failure(
                f"port {port} is already in use by a process this script did not start "
                "(another Elasticsearch?); pick another with --port"
            )

        java_home = find_java_home(version)
        dist = ensure_distribution(version, java_home)
        user = run_user()
        if is_root():
            ensure_user(user)
            if not shutil.which("runuser"):
                raise Failure("`runuser` (util-linux) is needed to start Elasticsearch as root")
            check_reachable(dist / "bin" / "elasticsearch", user)
        configure_instance(port, version, dist)

        env = {
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(inst / "config"),
            "ES_TMPDIR": str(inst / "tmp"),
            # The launcher's own scratch files go to the instance, not /tmp.
            "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={inst / 'tmp'}",
        }
        command = [str(dist / "bin" / "elasticsearch"), "-d", "-p", str(inst / "es.pid")]
        if is_root():
            command = [
                "runuser",
                "-u",
                user,
                "--",
                "env",
                *(f"{key}={value}" for key, value in env.items()),
                *command,
            ]
        child_env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "ES_JAVA_OPTS")}
        child_env.update(env)

        log(
            f"starting Elasticsearch {version} on {url_for(port)} "
            f"(Java {java_major(java_home)}, heap {heap_size()}, folder {inst}) ..."
        )
        started = time.monotonic()
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
        launcher = None
        try:
            with open(inst / "console.log", "wb") as console:
                # Its own session: a Ctrl-C in the terminal doesn't reach the server directly;
                # whoever started it stops it (run_tests.py does, on failure and Ctrl-C too).
                launcher = subprocess.Popen(
                    command,
                    cwd=str(inst),
                    env=child_env,
                    stdin=subprocess.DEVNULL,
                    stdout=console,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            deadline = started + timeout
            while True:
                code = launcher.poll()
                if code not in (None, 0):
                    raise Failure(f"Elasticsearch exited during startup (exit {code})")
                health = cluster_health(port)
                if health and health.get("cluster_name") == cluster_name(port):
                    break
                if code == 0 and not instance_pids(port):
                    raise Failure("Elasticsearch stopped right after starting")
                if time.monotonic() > deadline:
                    raise Failure(f"Elasticsearch did not become healthy within {timeout:.0f}s")
                time.sleep(0.5)
        except (Failure, Interrupted, KeyboardInterrupt) as error:
            if launcher is not None and launcher.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(launcher.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    launcher.wait(timeout=10)
            stop_port(port, quiet=True)
            if isinstance(error, Failure):
                print_log_tail(inst)
            raise
        finally:
            signal.signal(signal.SIGTERM, previous)
        with contextlib.suppress(subprocess.TimeoutExpired):
            launcher.wait(timeout=30)
        log(
            f"Elasticsearch {version} is up at {url_for(port)} after "
            f"{time.monotonic() - started:.1f}s (status {health['status']})"
        )
        return url_for(port)


def describe(port: int) -> tuple[bool, str]:
    pids = instance_pids(port)
    state = read_state(port)
    version = state.get("version", "?")
    if not pids:
        return False, f"port {port}: stopped (Elasticsearch {version}, folder {instance_dir(port)})"
    health = cluster_health(port)
    if health and health.get("cluster_name") == cluster_name(port):
        return True, (
            f"port {port}: running, {health['status']} — {url_for(port)} "
            f"(Elasticsearch {version}, pid {', '.join(map(str, pids))})"
        )
    return False, (
        f"port {port}: process running (pid {', '.join(map(str, pids))}) but not "
        f"healthy — see {instance_dir(port) / 'console.log'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run a local single-node Elasticsearch for development and tests.",
        epilog="Environment variables are documented at the top of this script.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_start = commands.add_parser("start", help="start (or reuse) a server; prints its URL")
    p_start.add_argument("--port", type=parse_port, default=None)
    p_start.add_argument(
        "--timeout", type=float, default=None, help="seconds to wait for it to become healthy"
    )
    p_stop = commands.add_parser("stop", help="stop a server started by this script")
    p_stop.add_argument("--port", type=parse_port, default=None)
    p_stop.add_argument("--all", action="store_true", help="stop every server it started")
    p_stop.add_argument(
        "--purge", action="store_true", help="also delete the instance folder (config, data, logs)"
    )
    p_status = commands.add_parser("status", help="show servers started by this script")
    p_status.add_argument("--port", type=parse_port, default=None)
    p_url = commands.add_parser("url", help="print the URL of the running server")
    p_url.add_argument("--port", type=parse_port, default=None)
    args = parser.parse_args(argv)

    try:
        if args.command == "start":
            timeout = args.timeout if args.timeout is not None else start_timeout()
            print(start(args.port or default_port(), timeout), flush=True)
            return 0
        if args.command == "stop":
            if args.all and args.port:
                raise Failure("use either --port or --all")
            for port in known_ports() if args.all else [args.port or default_port()]:
                stop_port(port, purge=args.purge)
            return 0
        if args.command == "status":
            ports = [args.port] if args.port else known_ports()
            if not ports:
                print(f"no servers started by this script (folder {es_home()})")
                return 3
            results = [describe(port) for port in ports]
            for _, line in results:
                print(line)
            return 0 if any(ok for ok, _ in results) else 3
        if args.command == "url":
            port = args.port or default_port()
            if not running_healthy(port):
                raise Failure(
                    f"no healthy server started by this script on port {port}; "
                    f"start one: scripts/elasticsearch.py start --port {port}"
                )
            print(url_for(port))
            return 0
    except Failure as error:
        log(f"error: {error}")
        return 1
    except (Interrupted, KeyboardInterrupt):
        log("interrupted")
        return 130
    except PermissionError as error:
        log(f"error: {error} (is MATCHMAKER_ES_HOME owned by another user?)")
        return 1
    except OSError as error:
        if error.errno == errno.ENOSPC:
            log(f"error: disk full: {error}")
            return 1
        raise
    return 2


if __name__ == "__main__":
    sys.exit(main())
