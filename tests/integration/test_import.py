"""Survey import through the service and the CLI: reading, checking, idempotence, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Organization, Provider
from matchmaker.services import imports
from matchmaker.services.errors import Forbidden
from matchmaker.services.imports import template_files
from matchmaker.taxonomy import get_taxonomy
from matchmaker.transaction import commit
from tests.factories import credit_code

DATA = Path(__file__).parent.parent / "data" / "import"
PROVIDER_HEADERS = [
    "外部编号",
    "单位名称",
    "统一社会信用代码",
    "单位类型",
    "所在区县",
    "服务产业集群",
    "设计服务类型",
]
DEMAND_HEADERS = [
    "外部编号",
    "企业名称",
    "统一社会信用代码",
    "所在区县",
    "需求标题",
    "需求描述",
    "产业集群",
    "设计服务类型",
]


@pytest.fixture
def admin(make):
    return make.admin()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def provider_row(n: int, **overrides) -> list[str]:
    row = {
        "外部编号": f"S{n}",
        "单位名称": f"设计单位{n}",
        "统一社会信用代码": credit_code(700000 + n),
        "单位类型": "设计公司",
        "所在区县": "永川区",
        "服务产业集群": "汽车、电子",
        "设计服务类型": "外观设计",
    }
    row.update(overrides)
    return [row[h] for h in PROVIDER_HEADERS]


def run(admin, filename, data, kind=None):
    """Inspect and, when clean, write and commit (what the web job and the CLI do)."""
    outcome = imports.inspect(db.session, admin, filename, data, kind)
    if outcome.ok:
        counts = imports.write(db.session, admin, outcome)
        commit()
        return outcome, counts
    db.session.rollback()
    return outcome, None


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("name", ["providers_gbk.csv", "providers_utf8_bom.csv"])
def test_csv_in_gbk_or_utf8_with_bom_imports_and_normalises(admin, name):
    outcome, counts = run(admin, name, (DATA / name).read_bytes())
    assert outcome.problems == [] and outcome.kind == "providers"  # guessed from the headers
    assert counts == {"created": 2, "updated": 0, "merged": 0}
    provider = db.session.scalar(select(Provider).where(Provider.external_id == "S-001"))
    org = provider.organization
    assert (org.name, org.region, org.kind, org.level) == (
        "重庆永川造型设计有限公司",
        "yongchuan",
        "design-firm",
        "municipal",
    )
    assert (
        org.credit_code == credit_code(900001)
        and org.phone == "13800001111"
        and org.contact_name == "李工"
    )
    assert provider.clusters == ["nev-ice", "motorcycle"]
    assert provider.services == ["appearance-design", "structural-design"]
    assert (provider.price_min, provider.price_max) == (50_000, 500_000)
    other = db.session.scalar(select(Provider).where(Provider.external_id == "S-002"))
    assert other.clusters == ["electronics", "smart-equipment"] and other.services == [
        "appearance-design",
        "cmf-design",
    ]
    assert other.organization.phone == "13900002222"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("provider.created") == 2 and "organization.updated" in actions


def test_reimport_updates_instead_of_duplicating(admin):
    data = (DATA / "providers_utf8_bom.csv").read_bytes()
    run(admin, "p.csv", data)
    outcome, counts = run(admin, "p.csv", data)
    assert (outcome.plan.creates, outcome.plan.updates) == (0, 2)
    assert counts["updated"] == 2 and count(Provider) == 2 and count(Organization) == 2
    # without 外部编号 the credit code finds the same organisation, even under a new name
    rows = [
        PROVIDER_HEADERS,
        provider_row(
            1,
            外部编号="",
            单位名称="重庆永川造型设计有限公司（更名）",
            统一社会信用代码=credit_code(900001),
            服务产业集群="摩托车",
        ),
    ]
    outcome, counts = run(admin, "rename.csv", csv_bytes(rows))
    assert outcome.problems == [] and counts["updated"] == 1 and count(Provider) == 2
    provider = db.session.scalar(select(Provider).where(Provider.external_id == "S-001"))
    assert (
        provider.organization.name == "重庆永川造型设计有限公司（更名）"
        and provider.clusters == ["motorcycle"]
    )


def test_empty_cells_keep_stored_values_on_update(admin):
    run(admin, "p.csv", (DATA / "providers_utf8_bom.csv").read_bytes())
    rows = [
        [
            "外部编号",
            "单位名称",
            "单位类型",
            "所在区县",
            "服务产业集群",
            "设计服务类型",
            "团队人数",
        ],
        ["S-001", "重庆永川造型设计有限公司", "设计公司", "永川区", "汽车", "外观设计", ""],
    ]
    run(admin, "partial.csv", csv_bytes(rows))
    provider = db.session.scalar(select(Provider).where(Provider.external_id == "S-001"))
    assert provider.team_size == 25 and provider.organization.contact_name == "李工"
    assert provider.clusters == ["nev-ice"]


def test_xlsx_title_row_merged_cells_empty_rows_and_status(admin):
    outcome, counts = run(admin, "demands_merged.xlsx", (DATA / "demands_merged.xlsx").read_bytes())
    assert outcome.problems == [] and outcome.kind == "demands" and outcome.rows == 3
    assert counts["created"] == 3
    by_ext = {d.external_id: d for d in db.session.scalars(select(Demand))}
    # the merged enterprise name and credit code count for both of its demands
    assert by_ext["D-001"].organization_id == by_ext["D-002"].organization_id
    assert by_ext["D-001"].organization.credit_code == credit_code(800001)
    assert by_ext["D-001"].status == "published" and by_ext["D-002"].status == "in_review"
    assert by_ext["D-003"].status == "published"  # no status: imported demands are published
    assert (by_ext["D-001"].budget_min, by_ext["D-001"].budget_max) == (100_000, 300_000)
    assert (
        str(by_ext["D-001"].deadline) == "2027-06-30"
        and str(by_ext["D-002"].deadline) == "2027-09-01"
    )
    assert count(Organization) == 2
    # again: nothing new, and a published demand stays published
    outcome, counts = run(admin, "demands_merged.xlsx", (DATA / "demands_merged.xlsx").read_bytes())
    assert counts == {"created": 0, "updated": 3, "merged": 0} and count(Demand) == 3


def test_demand_without_external_id_is_found_by_enterprise_and_title(admin):
    rows = [
        DEMAND_HEADERS[1:],
        ["重庆某厂", credit_code(810001), "永川区", "外观设计需求", "说明", "摩托车", "外观设计"],
    ]
    run(admin, "a.csv", csv_bytes(rows))
    outcome, counts = run(admin, "a.csv", csv_bytes(rows))
    assert counts["updated"] == 1 and count(Demand) == 1


def test_problems_name_row_column_value_and_nothing_is_written(admin):
    rows = [
        PROVIDER_HEADERS,
        provider_row(1),
        provider_row(2, 所在区县="火星区"),
        [""] * 7,
        provider_row(3, 设计服务类型="外观设计、读心术", 统一社会信用代码="123"),
    ]
    outcome, counts = run(admin, "bad.csv", csv_bytes(rows))
    assert counts is None
    problems = {(p.row, p.column): p.message for p in outcome.problems}
    assert problems[(3, "所在区县")] == "未知取值：火星区"
    assert problems[(5, "设计服务类型")] == "未知取值：读心术"  # row 4 is empty and skipped
    assert "统一社会信用代码无效" in problems[(5, "统一社会信用代码")]
    assert count(Provider) == 0


def test_every_problem_of_a_row_comes_in_one_preview(admin):
    """Cross-field rules run with the field rules and name no API field; an impossible date
    is called one."""
    headers = [*DEMAND_HEADERS, "预算下限（元）", "预算上限（元）", "截止日期"]
    row = ["D1", "重庆某厂", credit_code(810002), "火星区", "外观设计需求", "说明", "摩托车"]
    rows = [headers, [*row, "外观设计", "20万", "5万", "2027-04-31"]]
    outcome, counts = run(admin, "d.csv", csv_bytes(rows))
    assert counts is None
    problems = {(p.column, p.message) for p in outcome.problems}
    assert problems == {
        ("所在区县", "未知取值：火星区"),
        ("预算上限（元）", "不得小于预算下限"),
        ("截止日期", "日期不存在：2027-04-31"),
    }
    rows = [headers, [*row[:3], "永川区", *row[4:], "外观设计", "1", "2", "2027年2月29日"]]
    outcome, _ = run(admin, "d.csv", csv_bytes(rows))
    assert [(p.column, p.message) for p in outcome.problems] == [
        ("截止日期", "日期不存在：2027-02-29")
    ]


def test_missing_required_columns_are_reported_before_rows(admin):
    rows = [["单位名称", "所在区县"], ["某设计公司", "永川"]]
    outcome, _ = run(admin, "m.csv", csv_bytes(rows), kind="providers")
    assert {(p.row, p.column, p.message) for p in outcome.problems} == {
        (1, "单位类型", "缺少必填列"),
        (1, "服务产业集群", "缺少必填列"),
        (1, "设计服务类型", "缺少必填列"),
    }


def test_duplicate_rows_identical_are_merged_different_are_problems(admin):
    rows = [PROVIDER_HEADERS, provider_row(1), provider_row(1), provider_row(2)]
    outcome, counts = run(admin, "dup.csv", csv_bytes(rows))
    assert outcome.problems == [] and counts == {"created": 2, "updated": 0, "merged": 1}
    rows = [PROVIDER_HEADERS, provider_row(5), provider_row(5, 设计服务类型="结构设计")]
    outcome, counts = run(admin, "dup2.csv", csv_bytes(rows))
    assert counts is None
    assert [(p.row, p.column) for p in outcome.problems] == [(3, "单位名称")]
    assert "第 2 行" in outcome.problems[0].message


def test_credit_code_of_an_enterprise_is_not_taken_by_a_provider(admin, make):
    enterprise = make.enterprise()
    rows = [PROVIDER_HEADERS, provider_row(1, 统一社会信用代码=enterprise.organization.credit_code)]
    outcome, counts = run(admin, "x.csv", csv_bytes(rows))
    assert counts is None and "已登记为制造企业" in outcome.problems[0].message


@pytest.mark.parametrize(
    "filename, data, message",
    [
        ("p.csv", b"\xff\xfe\x00\xd8garbage\x00", "无法识别文件编码"),
        ("p.csv", bytes(range(128, 256)) * 4, "无法识别文件编码"),
        ("p.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("p.xlsx", b"PK\x03\x04 not really a zip", "不是 Excel"),
        ("p.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("p.csv", b"", "文件为空"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(admin, filename, data, message):
    with pytest.raises(imports.FileProblem) as caught:
        imports.inspect(db.session, admin, filename, data, "providers")
    assert message in caught.value.message


def test_template_rows_alone_are_no_data(admin):
    with pytest.raises(imports.FileProblem, match="没有数据行"):
        imports.inspect(db.session, admin, "t.xlsx", template_files.xlsx_template("demands"))


def test_only_admins_import(make):
    user = make.enterprise()
    with pytest.raises(Forbidden):
        imports.inspect(db.session, user, "p.csv", (DATA / "providers_gbk.csv").read_bytes())


# --- CLI ----------------------------------------------------------------------------------


def test_cli_dry_run_writes_nothing_then_import(runner, admin, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes((DATA / "providers_gbk.csv").read_bytes())
    result = runner.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 to create" in result.output and count(Provider) == 0
    result = runner.invoke(args=["import", str(path), "--kind", "providers"])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output and count(Provider) == 2


def test_cli_reports_problems_and_exits_nonzero(runner, admin, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([PROVIDER_HEADERS, provider_row(1, 单位类型="外星公司")]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "row 2 · 单位类型 · 未知取值：外星公司" in result.output
    assert count(Provider) == 0


def test_cli_reads_jsonl_api_bodies(runner, admin, tmp_path):
    bodies = [
        {
            "title": "外观设计",
            "description": "说明",
            "cluster": "摩托车",
            "services": ["外观设计"],
            "region": "永川",
            "organization": {"name": "某摩托车厂", "region": "yongchuan"},
            "external_id": "J1",
            "credit_code": credit_code(820001),
        },
        {
            "title": "结构设计",
            "description": "说明",
            "cluster": "nev-ice",
            "services": ["structural-design"],
            "region": "yongchuan",
            "organization": {"name": "某摩托车厂"},
            "external_id": "J2",
        },
    ]
    path = tmp_path / "d.jsonl"
    path.write_text(
        "\n".join(json.dumps(b, ensure_ascii=False) for b in bodies) + "\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert count(Demand) == 2 and count(Organization) == 1
    path.write_text(
        json.dumps({**bodies[0], "cluster": "不存在"}, ensure_ascii=False) + "\n{oops\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(path), "--kind", "demands"])
    assert result.exit_code != 0
    assert "row 1 · cluster · 未知取值：不存在" in result.output and "row 2 · body" in result.output


def test_cli_reports_a_jsonl_line_nested_too_deeply(runner, admin, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--kind", "demands"])
    assert result.exit_code == 1, result.output
    assert "row 1 · body" in result.output
    assert count(Demand) == 0


def test_a_write_failure_keeps_nothing(runner, admin, tmp_path, monkeypatch):
    """All or nothing: the second row fails inside the service, the first is rolled back too."""
    from matchmaker.services import providers
    from matchmaker.services.errors import Conflict

    real = providers.build_provider
    calls = []

    def flaky(session, actor, body, **options):
        calls.append(body)
        if len(calls) == 2:
            raise Conflict("boom", {"name": ["boom"]})
        return real(session, actor, body, **options)

    monkeypatch.setattr(providers, "build_provider", flaky)
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes([PROVIDER_HEADERS, provider_row(1), provider_row(2)]))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0 and "row 3 · 单位名称 · boom" in result.output
    db.session.expire_all()
    assert count(Provider) == 0 and count(Organization) == 0


# --- volume -------------------------------------------------------------------------------


def _import_with_progress(admin, size: int) -> list[int]:
    rows = [PROVIDER_HEADERS] + [provider_row(n) for n in range(size)]
    outcome = imports.inspect(db.session, admin, "big.csv", csv_bytes(rows))
    assert outcome.ok and outcome.plan.creates == size
    ticks = []
    imports.write(db.session, admin, outcome, progress=ticks.append)
    db.session.commit()
    assert count(Provider) == size
    return ticks


def test_rows_import_with_progress_as_they_go(admin):
    # Progress every 100 rows, then the total; the volume is measured in the benchmark.
    assert _import_with_progress(admin, 250) == [100, 200, 250]


@pytest.mark.slow
def test_ten_thousand_rows_import_with_progress(admin):
    ticks = _import_with_progress(admin, 10_000)
    assert ticks == list(range(100, 10_001, 100)) + [10_000]


def test_the_template_offers_the_taxonomy_as_drop_down_lists():
    workbook = load_workbook(io.BytesIO(template_files.xlsx_template("providers")))
    sheet, values = workbook["导入数据"], workbook["可选值"]
    headers = [c.value for c in sheet[1]]
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            rules[headers[cell_range.min_col - 1]] = (rule, cell_range)

    def offered(header: str) -> list[str]:
        rule, cell_range = rules[header]
        assert rule.type == "list" and (cell_range.min_row, cell_range.max_row) == (2, 20_001)
        column = rule.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
        return [c.value for c in values[column][1:] if c.value is not None]

    taxonomy = get_taxonomy()
    assert offered("所在区县") == [r["zh"] for r in taxonomy.regions.items]
    assert offered("服务产业集群") == [c["zh"] for c in taxonomy.clusters.items]
    assert offered("设计服务类型") == [s["zh"] for s in taxonomy.services.items]
    assert rules["所在区县"][0].errorStyle == "warning"  # aliases are accepted too
    assert rules["设计服务类型"][0].errorStyle == "information"  # several values in one cell
    assert "外部编号" not in rules and "单位名称" not in rules
    demands = load_workbook(io.BytesIO(template_files.xlsx_template("demands")))
    columns = [c.value for c in demands["导入数据"][1]]
    ruled = {
        columns[r.min_col - 1]
        for rule in demands["导入数据"].data_validations.dataValidation
        for r in rule.sqref.ranges
    }
    assert {"所在区县", "产业集群", "设计服务类型"} <= ruled
