"""A survey import cannot take over an organisation that registered users control
(docs/security.md, P6).

The attack: a provider puts a survey's id on its own profile; the next import of that survey
row renames the provider to the real company and marks it verified. Now only administrators
set external ids, and an import row that would rename, re-identify (credit code) or verify an
organisation with users is shown old → new in the preview and written only once the
administrator confirms it — on the page and on the command line.
"""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, ImportJob, Organization
from matchmaker.services import providers
from tests.conftest import AuthActions
from tests.web.pages import page

SURVEY_ID = "survey-2026-0042"
REAL_NAME = "重庆真实工业设计有限公司"
HEADERS = ["外部编号", "单位名称", "单位类型", "所在区县", "服务产业集群", "设计服务类型", "已认证"]


@pytest.fixture
def squatter(make):
    """A self-registered provider whose profile carries the survey's id (set before only
    administrators could set it, or by an administrator's mistake)."""
    user = make.provider(name="小作坊设计工作室")
    providers.update_provider(
        db.session, make.admin(), user.organization.provider.id, {"external_id": SURVEY_ID}
    )
    db.session.commit()
    return user


def survey_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(
        [HEADERS, [SURVEY_ID, REAL_NAME, "设计公司", "永川区", "汽车", "外观设计", "是"]]
    )
    return out.getvalue().encode("utf-8-sig")


def organization_of(user) -> Organization:
    db.session.expire_all()
    return db.session.get(Organization, user.organization_id)


def upload(client, data: bytes, name: str):
    return client.post(
        "/admin/import",
        data={"kind": "providers", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def wait_for(job_id: int) -> ImportJob:
    for thread in threading.enumerate():
        if thread.name == f"import-{job_id}":
            thread.join(30)
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def test_preview_shows_old_and_new_and_nothing_changes_without_confirmation(client, make, squatter):
    admin = make.admin()
    AuthActions(client).login(admin.email)
    response = upload(client, survey_csv(), "survey.csv")
    job_url = response.headers["Location"]
    html = page(client.get(job_url))
    assert "小作坊设计工作室" in html and REAL_NAME in html  # old → new
    assert "已有注册用户" in html and 'name="confirm_changes"' in html
    job_id = int(job_url.rsplit("/", 1)[1])

    response = client.post(f"/admin/import/{job_id}/commit")  # not confirmed
    assert response.status_code == 422 and "请勾选" in page(response)
    assert wait_for(job_id).status == "previewed"
    organization = organization_of(squatter)
    assert organization.name == "小作坊设计工作室" and not organization.verified

    response = client.post(f"/admin/import/{job_id}/commit", data={"confirm_changes": "y"})
    assert response.status_code == 302
    assert wait_for(job_id).status == "done"
    organization = organization_of(squatter)
    assert organization.name == REAL_NAME and organization.verified  # seen and confirmed


def test_a_change_after_the_preview_needs_a_new_preview(client, make, squatter):
    """What was confirmed is what is written: a later change to the organisation fails the job."""
    admin = make.admin()
    AuthActions(client).login(admin.email)
    response = upload(client, survey_csv(), "survey.csv")
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    profile = squatter.organization.provider.id
    providers.update_provider(db.session, squatter, profile, {"name": "另一个名字工作室"})
    db.session.commit()
    client.post(f"/admin/import/{job_id}/commit", data={"confirm_changes": "y"})
    job = wait_for(job_id)
    assert job.status == "failed" and "重新上传" in job.problems[0]["message"]
    assert organization_of(squatter).name == "另一个名字工作室"


def test_organisations_without_users_are_updated_as_before(client, make):
    admin = make.admin()
    AuthActions(client).login(admin.email)
    upload(client, survey_csv(), "first.csv")
    job = db.session.scalars(select(ImportJob)).one()
    client.post(f"/admin/import/{job.id}/commit")
    assert wait_for(job.id).status == "done"
    renamed = survey_csv().decode("utf-8-sig").replace(REAL_NAME, "重庆真实工业设计研究院")
    response = upload(client, renamed.encode(), "second.csv")
    html = page(client.get(response.headers["Location"]))
    assert 'name="confirm_changes"' not in html  # nobody registered controls it


def test_cli_lists_the_changes_and_needs_the_flag(runner, make, squatter, tmp_path):
    make.admin()
    body = {
        "name": REAL_NAME,
        "kind": "design-firm",
        "region": "yongchuan",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
        "verified": True,
        "external_id": SURVEY_ID,
    }
    path = tmp_path / "survey.jsonl"
    path.write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "小作坊设计工作室 → " + REAL_NAME in result.output
    assert "--confirm-org-changes" in result.output
    organization = organization_of(squatter)
    assert organization.name == "小作坊设计工作室" and not organization.verified

    result = runner.invoke(args=["import", str(path), "--confirm-org-changes"])
    assert result.exit_code == 0, result.output
    organization = organization_of(squatter)
    assert organization.name == REAL_NAME and organization.verified
    renamed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "organization.identity_changed")
    )
    assert renamed.data == {"field": "name", "old": "小作坊设计工作室", "new": REAL_NAME}
