"""Tests for the developer tooling: scripts/elasticsearch.py and scripts/run_tests.py."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load(name: str, filename: str):
    # Loaded under a private name: "elasticsearch" must keep meaning the client library.
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


es_script = load("matchmaker_tooling_elasticsearch", "elasticsearch.py")
run_tests = load("matchmaker_tooling_run_tests", "run_tests.py")


@pytest.fixture
def es_home(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_ES_HOME", str(tmp_path / "es"))
    monkeypatch.delenv("MATCHMAKER_ES_HEAP", raising=False)
    return tmp_path / "es"


def fake_distribution(root: Path) -> Path:
    dist = root / "elasticsearch-8.19.21"
    (dist / "config" / "jvm.options.d").mkdir(parents=True)
    (dist / "config" / "elasticsearch.yml").write_text("# stock settings\n")
    (dist / "config" / "jvm.options").write_text("-XX:+UseG1GC\n")
    return dist


def test_instance_config_has_the_single_node_loopback_settings(es_home, tmp_path, monkeypatch):
    monkeypatch.setattr(es_script, "is_root", lambda: False)
    dist = fake_distribution(tmp_path)

    inst = es_script.configure_instance(9299, "8.19.21", dist)

    settings = (inst / "config" / "elasticsearch.yml").read_text()
    assert settings.startswith("# stock settings\n")
    for line in (
        "discovery.type: single-node",
        "network.host: 127.0.0.1",
        "http.port: 9299",
        "xpack.security.enabled: false",
        "cluster.name: matchmaker-9299",
        "cluster.routing.allocation.disk.threshold_enabled: false",
        f"path.data: {inst / 'data'}",
        f"path.logs: {inst / 'logs'}",
    ):
        assert line in settings.splitlines()
    heap = (inst / "config" / "jvm.options.d" / "heap.options").read_text().split()
    assert heap == ["-Xms512m", "-Xmx512m"]
    marker = (inst / "config" / "jvm.options.d" / "matchmaker.options").read_text().strip()
    assert marker in es_script.instance_markers(9299)
    assert json.loads((inst / "instance.json").read_text())["version"] == "8.19.21"
    assert (dist / "config" / "elasticsearch.yml").read_text() == "# stock settings\n"


def test_instance_config_is_rewritten_on_each_start(es_home, tmp_path, monkeypatch):
    monkeypatch.setattr(es_script, "is_root", lambda: False)
    dist = fake_distribution(tmp_path)
    es_script.configure_instance(9299, "8.19.21", dist)
    monkeypatch.setenv("MATCHMAKER_ES_HEAP", "1g")

    inst = es_script.configure_instance(9299, "8.19.21", dist)

    assert (inst / "config" / "elasticsearch.yml").read_text().count("http.port:") == 1
    assert "-Xmx1g" in (inst / "config" / "jvm.options.d" / "heap.options").read_text()


def test_stop_leaves_processes_it_did_not_start_alone(es_home):
    # Nothing on this machine carries the marker of a fresh folder, whatever listens on 9200.
    assert es_script.instance_pids(9200) == []
    assert es_script.stop_port(9200, quiet=True) is False


@pytest.mark.parametrize("value", ["0", "70000", "http"])
def test_bad_ports_are_refused(value):
    with pytest.raises(es_script.Failure):
        es_script.parse_port(value)


def test_java_version_is_read_from_the_release_file(tmp_path):
    (tmp_path / "release").write_text('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.15"\n')
    assert es_script.java_major(tmp_path) == 17
    (tmp_path / "release").write_text('JAVA_VERSION="1.8.0_402"\n')
    assert es_script.java_major(tmp_path) == 8


def test_maven_artifact_path(monkeypatch, tmp_path):
    monkeypatch.setenv("MATCHMAKER_M2_REPO", str(tmp_path))
    path, coordinates = es_script.artifact_paths("8.19.21")
    assert coordinates == "org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip"
    assert path == (
        tmp_path
        / "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
        / "8.19.21/elasticsearch-8.19.21.zip"
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], ["-m", "database and not e2e"]),
        (["-x", "-m", "slow"], ["-x", "-m", "(slow) and (database and not e2e)"]),
        (["-mslow"], ["-m(slow) and (database and not e2e)"]),
    ],
)
def test_postgres_pass_runs_database_tests_without_the_browser(args, expected):
    assert run_tests.with_marker(args, run_tests.POSTGRES_MARKERS) == expected


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], ["-n", "2", "--dist", "loadgroup"]),
        (["-x", "tests/web"], ["-n", "2", "--dist", "loadgroup", "-x", "tests/web"]),
        (["-n", "4"], ["-n", "4"]),
        (["-n0"], ["-n0"]),
        (["--numprocesses=3"], ["--numprocesses=3"]),
        (["--dist", "load"], ["--dist", "load"]),
        (["-p", "no:xdist"], ["-p", "no:xdist"]),
    ],
)
def test_passes_run_in_xdist_workers_unless_the_caller_chose(args, expected):
    assert run_tests.with_workers(args, 2) == expected


def test_one_worker_means_no_xdist():
    assert run_tests.with_workers(["-x"], 1) == ["-x"]
    assert run_tests.with_workers([], 0) == []


@pytest.mark.parametrize(
    "value, expected", [("3", 3), ("0", 0), (" 1 ", 1), ("-2", 0), ("many", os.cpu_count() or 1)]
)
def test_worker_count_comes_from_the_environment_or_the_cores(value, expected):
    assert run_tests.worker_count({"MATCHMAKER_TEST_WORKERS": value}) == expected
    assert run_tests.worker_count({}) == (os.cpu_count() or 1)


@pytest.mark.parametrize(
    "output, expected",
    [
        ("...\n=== 3 passed, 1 skipped in 1.20s ===\n", "3 passed, 1 skipped in 1.20s"),
        (
            "\x1b[32m==== \x1b[1m2 passed\x1b[0m\x1b[32m in 0.05s\x1b[0m ====\x1b[0m\n",
            "2 passed in 0.05s",
        ),
        ("=== no tests ran in 0.01s ===\n", "no tests ran in 0.01s"),
        ("Traceback ...\n", "no pytest summary (see the output above)"),
    ],
)
def test_pytest_summary_line_is_found(output, expected):
    assert run_tests.pytest_summary(output) == expected


def test_passwords_are_not_printed():
    url = "postgresql://user:secret@127.0.0.1:5432/db"
    assert run_tests.redact(url) == "postgresql://user:***@127.0.0.1:5432/db"
    assert run_tests.redact("http://127.0.0.1:9200") == "http://127.0.0.1:9200"


@pytest.mark.elasticsearch
def test_the_elasticsearch_url_given_to_the_tests_is_served():
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set (scripts/run_tests.py sets it)")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(
        f"{url.rstrip('/')}/_cluster/health?wait_for_status=yellow&timeout=30s", timeout=40
    ) as response:
        health = json.load(response)
    assert health["status"] in ("yellow", "green")


class FakeRunner:
    interrupted = False

    def __init__(self, code: int, output: str = ""):
        self.result = (code, output)

    def run(self, command, env=None, capture=False, tee=False):
        return self.result


def test_a_started_server_is_exported_to_the_tests():
    env = {}
    port = run_tests.start_elasticsearch(FakeRunner(0, "http://127.0.0.1:9299\n"), env, ci=True)
    assert env["ELASTICSEARCH_URL"] == "http://127.0.0.1:9299"
    assert "MATCHMAKER_SKIP_ELASTICSEARCH" not in env
    assert isinstance(port, int)


@pytest.mark.parametrize("ci, tools_present", [(True, False), (False, True), (True, True)])
def test_a_failed_start_fails_the_run_under_ci_or_with_java_or_maven(
    monkeypatch, ci, tools_present
):
    monkeypatch.setattr(run_tests, "java_or_maven_present", lambda: tools_present)
    with pytest.raises(run_tests.StartFailed):
        run_tests.start_elasticsearch(FakeRunner(1), {}, ci=ci)


def test_without_java_and_maven_the_run_goes_on_without_elasticsearch(monkeypatch, capsys):
    monkeypatch.setattr(run_tests, "java_or_maven_present", lambda: False)
    env = {}
    run_tests.start_elasticsearch(FakeRunner(1), env, ci=False)
    assert env == {"MATCHMAKER_SKIP_ELASTICSEARCH": "1"}
    assert "WARNING" in capsys.readouterr().out


def test_no_tests_collected_fails_both_passes(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CI", "TEST_DATABASE_URL", "PYTEST_ADDOPTS")
    }
    # Never contacted: the tests run in an empty folder.
    env["ELASTICSEARCH_URL"] = "http://127.0.0.1:9"
    # Collecting nothing needs no plugins: without them (and xdist) pytest starts in a fraction.
    env["MATCHMAKER_TEST_WORKERS"] = "1"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["TEST_POSTGRES_URL"] = "postgresql://u:secret@127.0.0.1:9/db"
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "run_tests.py"), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 5, result.stdout + result.stderr
    assert "pass 1/2 (SQLite): NO TESTS COLLECTED" in result.stdout
    assert "pass 2/2 (PostgreSQL): NO TESTS COLLECTED" in result.stdout
    assert "-m 'database and not e2e'" in result.stdout
    assert "secret" not in result.stdout
