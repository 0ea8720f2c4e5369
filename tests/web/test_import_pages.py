"""Import pages: admin only, templates, upload → preview → commit in the background → result."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Demand, ImportJob, Provider
from tests.conftest import csrf_token_from

DATA = Path(__file__).parent.parent / "data" / "import"
GETS = ["/admin/import", "/admin/import/template/demands.xlsx", "/admin/import/1"]
POSTS = ["/admin/import", "/admin/import/1/commit"]


def upload(client, name, data, kind="providers"):
    return client.post(
        "/admin/import",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def wait_for(job_id: int) -> ImportJob:
    """The job after its background import (in tests, jobs run when they are queued)."""
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


@pytest.mark.parametrize("url", GETS + POSTS)
def test_anonymous_is_sent_to_login(client, url):
    response = client.post(url) if url in POSTS else client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", GETS + POSTS)
def test_other_roles_get_403(client, auth, make, url):
    auth.login(make.provider().email)
    response = client.post(url) if url in POSTS else client.get(url)
    assert response.status_code == 403


def test_templates_download(client, admin):
    response = client.get("/admin/import/template/demands.xlsx")
    assert response.status_code == 200
    assert (
        unquote(response.headers["Content-Disposition"].split("UTF-8''")[1])
        == "设计需求导入模板.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["导入数据", "填写说明", "可选值"]
    assert workbook["可选值"].sheet_state == "hidden"
    headers = [c.value for c in workbook["导入数据"][1]]
    assert headers[:3] == ["外部编号", "企业名称", "统一社会信用代码"]
    notes = [row for row in workbook["填写说明"].iter_rows(values_only=True)]
    region_note = next(r for r in notes if r[0] == "所在区县")
    assert region_note[1] == "必填" and "永川区" in region_note[3]
    response = client.get("/admin/import/template/providers.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and "单位名称" in response.data.decode(
        "utf-8-sig"
    )
    assert client.get("/admin/import/template/other.csv").status_code == 404
    # the template as downloaded holds no data: clear message, nothing stored
    response = upload(client, "t.xlsx", client.get("/admin/import/template/providers.xlsx").data)
    assert response.status_code == 422 and "没有数据行" in response.get_data(as_text=True)
    assert count(ImportJob) == 0


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("notes.txt", b"hello", "不支持的文件类型"),
        ("p.csv", bytes(range(128, 256)) * 3, "无法识别文件编码"),
        ("p.xlsx", b"PK\x03\x04 broken", "不是 Excel"),
    ],
)
def test_bad_uploads_get_a_form_message_and_store_nothing(client, admin, name, data, message):
    response = upload(client, name, data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count(ImportJob) == 0


def test_missing_file_and_too_large(client, admin, app):
    response = client.post(
        "/admin/import", data={"kind": "providers"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "请选择文件" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(client, "big.csv", b"x" * 5000)
    assert response.status_code == 413


def test_preview_lists_problems_and_commit_is_refused(client, admin):
    data = (
        (DATA / "providers_utf8_bom.csv")
        .read_bytes()
        .decode("utf-8-sig")
        .replace("两江新区", "火星区")
    )
    response = upload(client, "p.csv", data.encode("utf-8"))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未知取值：火星区" in page and '<td data-label="行号">3</td>' in page
    assert "不能提交" in page and "/commit" not in page
    job = db.session.scalars(select(ImportJob)).one()
    response = client.post(f"/admin/import/{job.id}/commit")
    assert response.status_code == 409 and count(Provider) == 0


def test_upload_preview_commit_and_result(client, admin):
    response = upload(
        client, "demands_merged.xlsx", (DATA / "demands_merged.xlsx").read_bytes(), kind="demands"
    )
    job_url = response.headers["Location"]
    page = client.get(job_url).get_data(as_text=True)
    assert (
        "休旅摩托车外观设计" in page and "重庆永川摩托车制造有限公司" in page
    )  # sample of parsed rows
    assert "提交导入（3 条）" in page and count(Demand) == 0  # a preview writes nothing
    job_id = int(job_url.rsplit("/", 1)[1])
    response = client.post(f"/admin/import/{job_id}/commit")
    assert response.status_code == 302
    job = wait_for(job_id)
    assert job.status == "done" and job.summary["created"] == 3 and count(Demand) == 3
    page = client.get(job_url).get_data(as_text=True)
    assert "导入完成" in page and 'http-equiv="refresh"' not in page
    # committing twice does nothing more
    assert client.post(f"/admin/import/{job_id}/commit").status_code == 409 and count(Demand) == 3
    # the same file again: updates, no duplicates
    response = upload(
        client, "demands_merged.xlsx", (DATA / "demands_merged.xlsx").read_bytes(), kind="demands"
    )
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/admin/import/{job_id}/commit")
    job = wait_for(job_id)
    assert job.summary["updated"] == 3 and count(Demand) == 3
    index = client.get("/admin/import").get_data(as_text=True)
    assert index.count("demands_merged.xlsx") == 2 and "已导入" in index


def test_running_job_page_refreshes_itself(client, admin):
    response = upload(client, "p.csv", (DATA / "providers_gbk.csv").read_bytes())
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    db.session.get(ImportJob, job_id).status = "running"
    db.session.commit()
    page = client.get(f"/admin/import/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and "<progress" in page


def test_failure_in_the_background_keeps_nothing_and_says_why(client, admin, monkeypatch):
    from matchmaker.services import providers
    from matchmaker.services.errors import Conflict

    real, calls = providers.build_provider, []

    def flaky(session, actor, body, **options):
        calls.append(1)
        if len(calls) == 2:
            raise Conflict("写入失败", {"name": ["写入失败"]})
        return real(session, actor, body, **options)

    monkeypatch.setattr(providers, "build_provider", flaky)
    response = upload(client, "p.csv", (DATA / "providers_gbk.csv").read_bytes())
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/admin/import/{job_id}/commit")
    job = wait_for(job_id)
    assert job.status == "failed" and job.problems[0]["row"] == 3 and count(Provider) == 0
    assert "写入失败" in client.get(f"/admin/import/{job_id}").get_data(as_text=True)


def test_commit_needs_csrf_token(client, admin, app):
    response = upload(client, "p.csv", (DATA / "providers_gbk.csv").read_bytes())
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/admin/import/{job_id}/commit").status_code == 400
    page = client.get(f"/admin/import/{job_id}").get_data(as_text=True)
    response = client.post(
        f"/admin/import/{job_id}/commit", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    assert wait_for(job_id).status == "done" and count(Provider) == 2
