"""The statistics dashboard and its exports (administrators only: test_admin_only_pages.py)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from matchmaker.extensions import db
from matchmaker.search_engine import get_search
from matchmaker.services import demands, interests, matching
from matchmaker.transaction import commit
from tests.web.pages import figures_of, page


@pytest.fixture
def activity(make):
    owner = make.enterprise()
    first, second = make.provider(name="山城工业设计"), make.provider(name='=HYPERLINK("x")设计')
    demand = make.demand(owner, title="电动车外观设计")
    matching.recommended_providers(db.session, get_search(), owner, demand.id)
    commit()
    accepted = make.interest(first, demand)
    make.interest(second, demand)
    interests.accept(db.session, owner, accepted.id)
    demands.mark_won(db.session, owner, demand.id)
    make.demand(owner, title="摩托车造型", cluster="motorcycle", region="jiulongpo")
    commit()


def test_empty_dashboard(client, admin):
    html = page(client.get("/admin/statistics"))
    assert "统计分析" in html and "对接漏斗" in html and "所选区间内没有数据" in html
    assert "<svg" in html and "style=" not in html.split("<main", 1)[1]  # CSP: no inline styles
    funnel = html.split('id="funnel-title"', 1)[1].split("</figure>", 1)[0]
    assert "较上一阶段" not in funnel  # no conversion rate from a stage of nothing


def test_dashboard_numbers_and_charts(client, admin, activity):
    html = page(client.get("/admin/statistics"))
    # 2 demands published, 2 providers; funnel 2 → 2 → 1 → 1; success 1 of 1.
    figures = figures_of(html)
    assert (figures["新发布需求"], figures["新增服务方"]) == ("2", "2")
    assert figures["对接成功率"] == "100.0%"
    assert "智能网联新能源汽车" in html and "摩托车" in html and "九龙坡区" in html
    assert html.count('<figure class="chart hbars">') == 2  # the funnel and the clusters
    assert html.count('<figure class="chart lines">') == 1 and "<circle" in html
    assert "导出 CSV" in html and "/admin/statistics/export.xlsx?start=" in html
    # a month in a table cell stays whole on a phone; short tables stay tables there
    assert re.search(r'<td data-label="月份"><time datetime="\d{4}-\d{2}">\d{4}-\d{2}</time>', html)
    assert '<table class="table table-compact">' in html


def test_filters(client, admin, activity):
    html = page(client.get("/admin/statistics?cluster=motorcycle"))
    assert figures_of(html)["新发布需求"] == "1"
    html = page(client.get("/admin/statistics?start=2001-01-01&end=2001-12-31"))
    assert figures_of(html)["新发布需求"] == "0"
    assert 'value="2001-01-01"' in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2025-03-01&end=2025-01-01", "结束日期不能早于开始日期"),
        ("start=2001-01-01&end=2025-01-01", "统计区间最长 5 年"),
        ("start=yesterday", "请填写有效的日期"),
        ("cluster=<script>", "无效的选项"),
        ("region=atlantis", "无效的选项"),
    ],
)
def test_bad_filters_get_a_message(client, admin, query, message):
    response = client.get(f"/admin/statistics?{query}")
    assert response.status_code == 422
    assert message in page(response) and "<script>" not in page(response).split("<main", 1)[1]
    assert client.get(f"/admin/statistics/export.csv?{query}").status_code == 400


def test_csv_export(client, admin, activity):
    response = client.get("/admin/statistics/export.csv?start=2020-01-01&end=2024-12-31")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        'filename="matchmaker-statistics-2020-01-01-2024-12-31.csv"'
        in response.headers["Content-Disposition"]
    )
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff概览")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["统计区间", "2020-01-01 – 2024-12-31"] in rows and ["新发布需求", "0"] in rows


def test_xlsx_export(client, admin, activity):
    response = client.get("/admin/statistics/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames[:3] == ["概览", "月度趋势", "按产业集群"]
    summary = {row[0]: row[1] for row in book["概览"].iter_rows(values_only=True)}
    assert summary["新发布需求"] == 2 and summary["新增服务方"] == 2
    funnel = [row for row in book["对接漏斗"].iter_rows(values_only=True)]
    assert [r[1] for r in funnel[1:]] == [2, 2, 1, 1]
    names = [row[0] for row in book["曝光最多的服务方"].iter_rows(values_only=True)]
    # A name that a spreadsheet would run as a formula is quoted.
    assert '\'=HYPERLINK("x")设计' in names and "山城工业设计" in names
