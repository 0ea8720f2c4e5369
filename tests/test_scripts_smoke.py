"""Smoke tests: the benchmarks run and produce numbers.

They run in this process (embedded backend only, nothing written to docs/), so the jieba
dictionary is loaded once for the whole suite. The matching quality that `make eval` reports
is checked on the same judged set by tests/search/test_quality.py.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value >= 0


def test_bench_quick_embedded(capsys):
    from scripts.bench import cli as bench

    args = bench.parse_args(["--quick", "--backend", "embedded", "--no-write", "--only", "search"])
    assert args.write is False
    report = bench.run(args, log=lambda *a: None)
    bench.print_summary(report)
    [result] = report["results"]
    assert (result["backend"], result["size"]) == ("embedded", 1_000)
    assert result["index"]["providers_per_s"] > 0 and result["reindex"]["providers_s"] > 0
    for op in ("match", "leads", "search"):
        entry = result["latency"][op]
        for side in ("app", "raw"):
            assert entry[side]["n"] == report["queries"]
            assert all(_finite(entry[side][p]) for p in ("p50", "p95", "p99"))
        assert entry["app"]["p50"] <= entry["app"]["p95"] <= entry["app"]["p99"]
    http = result["http"]
    assert _finite(http["repeat"]["p50"]) and _finite(http["first"]["p50"])
    out = capsys.readouterr().out
    assert "demand → providers" in out and "embedded match p95 ≤ 50 ms" in out


def test_bench_synthetic_data_is_deterministic_and_valid():
    from matchmaker.taxonomy import get_taxonomy
    from scripts.bench.synthetic import Synth

    taxonomy = get_taxonomy().raw
    a, b = Synth(taxonomy), Synth(taxonomy)
    assert a.providers(50) == b.providers(50) and a.demands(50) == b.demands(50)
    codes = {s: {it["code"] for it in taxonomy[s]} for s in ("clusters", "services", "regions")}
    providers = a.providers(300)
    assert len({p["name"] for p in providers}) == 300
    for p in providers:
        assert set(p["clusters"]) <= codes["clusters"] and set(p["services"]) <= codes["services"]
        assert p["region"] in codes["regions"] and p["price_min"] <= p["price_max"]
    for d in a.demands(300):
        assert d["cluster"] in codes["clusters"] and set(d["services"]) <= codes["services"]
        assert d["budget_min"] <= d["budget_max"]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["-m", "scripts.bench", "--help"], "--only {search,load}"),
        (["scripts/drill.py", "--help"], "--kill-after"),
    ],
)
def test_load_run_and_drill_scripts_parse(command, expected):
    """The load run and the drill are too slow for the suite (make bench, make drill);
    their command lines at least parse."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, *command], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_bench_import_measures_both_rounds_and_keeps_the_rest_of_the_doc(tmp_path):
    from scripts import bench_import as bench

    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    results = bench.measure("sqlite", url, 40, tmp_path, log=lambda *a: None)
    rounds = {(r["kind"], r["round"]): (r["created"], r["updated"]) for r in results}
    assert rounds == {
        ("providers", "first import"): (40, 0),
        ("providers", "same file again"): (0, 40),
        ("demands", "first import"): (40, 0),
        ("demands", "same file again"): (0, 40),
    }
    assert all(_finite(r["total"]) and r["delivered"] > 0 for r in results if r["created"])
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nsearch numbers\n")
    bench.write_section(bench.section(results, "1.0", "1.0"), doc)
    bench.write_section(bench.section(results, "2.0", "2.0"), doc)  # replaced, not appended
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nsearch numbers\n")
    assert text.count(bench.BEGIN) == 1 and "2.0 at the start" in text


def test_per_request_profile_counts_cpu_and_statements(capsys):
    from scripts.bench import per_request

    results = per_request.measure(1, 5, False, per_request.ROUTE_NAMES, size=100)
    assert set(results) == set(per_request.ROUTE_NAMES)
    assert all(_finite(r["cpu_ms"]) and r["cpu_ms"] > 0 for r in results.values())
    assert results["taxonomy"]["statements"] == 0  # no database behind the cheapest route
    for name in ("leads search", "matches", "provider search", "home page"):
        assert results[name]["statements"] >= 1
    assert "SQL statements" in capsys.readouterr().out


def test_grouping_evaluation_matches_the_documented_table():
    """The threshold table in docs/quality.md is what scripts/eval_grouping.py measures now,
    and the chosen default is among the measured thresholds."""
    from scripts import eval_grouping
    from search.grouping import DEFAULT_THRESHOLD

    result = eval_grouping.measure()
    assert result["same"] > 0 and result["different"] > result["same"]
    assert DEFAULT_THRESHOLD in eval_grouping.THRESHOLDS
    assert eval_grouping.section(result) in eval_grouping.DOC.read_text(encoding="utf-8")


def test_bench_doc_keeps_the_sections_written_elsewhere(tmp_path):
    from scripts.bench.report import LOAD_BEGIN, write_doc

    notes = (
        "<!-- experiments:begin -->\n## Experiments\n\nmeasured by hand\n<!-- experiments:end -->"
    )
    imports = "<!-- import:begin -->\n## Survey import\n<!-- import:end -->"
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Search\n\nold\n\n{notes}\n\n{LOAD_BEGIN}\nload run\n\n{imports}\n")
    write_doc({"results": []}, doc)  # a run that measured nothing rewrites the rest only
    write_doc({"results": []}, doc)
    text = doc.read_text()
    assert text.startswith("# Search\n\nold\n\n" + LOAD_BEGIN + "\nload run\n")
    assert text.count(notes) == 1 and text.count(imports) == 1
    assert text.index(notes) < text.index(imports)
