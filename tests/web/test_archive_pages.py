"""Archive pages (administrators only: test_admin_only_pages.py): tree with counts,
drill-down links, filters, CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook


@pytest.fixture
def data(make, admin):
    owner = make.enterprise(name="重庆永川摩托车厂")
    make.demand(owner, title="休旅摩托车外观", cluster="motorcycle")
    make.demand(owner, title='=HYPERLINK("x")', cluster="nev-ice", status="draft")
    make.provider(
        name="重庆两江设计院",
        level="municipal",
        region="liangjiang",
        clusters=["nev-ice", "motorcycle"],
    )


def test_tree_counts_and_drill_down(client, data):
    page = client.get("/admin/archive/demands").get_data(as_text=True)
    assert "千亿级特色优势产业集群" in page and "摩托车" in page and "休旅摩托车外观" in page
    assert 'href="/admin/archive/demands?tier=featured-100b&amp;cluster=motorcycle"' in page
    page = client.get(
        "/admin/archive/demands?tier=featured-100b&cluster=motorcycle&region=yongchuan"
        "&leaf=published"
    ).get_data(as_text=True)
    assert "休旅摩托车外观" in page and "HYPERLINK" not in page
    assert 'aria-current="true">已发布' in page
    page = client.get("/admin/archive/demands?status=draft").get_data(as_text=True)
    assert "HYPERLINK" in page and "休旅摩托车外观" not in page


def test_provider_archive_page(client, data):
    page = client.get("/admin/archive/providers?cluster=motorcycle").get_data(as_text=True)
    assert "重庆两江设计院" in page and "市级" in page and "（1 条）" in page


def test_bad_filters_and_paths_are_harmless(client, data):
    response = client.get("/admin/archive/demands?since=not-a-date&tier=<script>&cluster=x&page=-3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "休旅摩托车外观" in page
    assert client.get("/admin/archive/other").status_code == 404
    assert client.get("/admin/archive/demands/export.pdf").status_code == 404


def test_csv_export_of_a_layer(client, data):
    response = client.get("/admin/archive/demands/export.csv?tier=featured-100b")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert 'filename="demand-archive-records.csv"' in disposition
    assert unquote(disposition.split("UTF-8''")[1]) == "需求档案库-千亿级特色优势产业集群.csv"
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["编号", "需求标题", "企业名称"]
    assert [r[1] for r in rows[1:]] == ["休旅摩托车外观"]
    everything = client.get("/admin/archive/demands/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in everything  # formulas are neutralised


def test_xlsx_exports_records_and_counts(client, data):
    response = client.get("/admin/archive/providers/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("外部编号", "单位名称", "统一社会信用代码")
    assert rows[1][1] == "重庆两江设计院" and "摩托车" in rows[1][9]
    # the heading stays in view; each column is as wide as its widest cell (CJK counts twice)
    assert sheet.freeze_panes == "A2"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHIJ"}
    assert widths["B"] >= 2 * len("重庆两江设计院") and len(set(widths.values())) > 3
    response = client.get("/admin/archive/demands/export.xlsx?what=counts")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("产业集群层级", "产业集群", "所在区县", "需求状态", "数量")
    assert rows[1] == ("合计", None, None, None, 2)
    assert ("千亿级特色优势产业集群", "摩托车", "永川区", "已发布", 1) in rows
