"""Files through the API: an accreditation application's supporting files and a showcase
entry's pictures as multipart bodies, with the pages' limits (type, size, count, quota) and
ownership; a bad file is a 422 naming its field and changes nothing; the OpenAPI document
describes the multipart bodies."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import Attachment
from matchmaker.services import files, providers

from .conftest import error_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
CLOSES = (local_today() + dt.timedelta(days=20)).isoformat()
CRITERIA = [{"name": "设计团队", "weight": 40}, {"name": "设计成果", "weight": 60}]


def _files(field: str, *items: tuple[bytes, str]) -> dict:
    return {field: [(io.BytesIO(data), name) for data, name in items]}


def _send(api, path, user, data):
    return api.post(path, user, data=data, content_type="multipart/form-data")


def _stored(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def application(api, make):
    admin, applicant = make.admin(), make.provider(name="渝西工业设计有限公司")
    round_ = api.post(
        "/accreditation-rounds",
        admin,
        json={"title": "2026年度区级认定", "year": 2026, "criteria": CRITERIA,
              "min_reviewers": 1, "closes_on": CLOSES},
    ).get_json()  # fmt: skip
    applied = api.post(
        "/accreditations",
        applicant,
        json={"round_id": round_["id"], "team_size": 30, "designers": 20,
              "investment": 2_000_000, "achievements": "近三年完成设计项目四十余项。"},
    ).get_json()  # fmt: skip
    return {"admin": admin, "applicant": applicant, "id": applied["id"]}


def test_accreditation_files_through_the_api(api, app, make, application, monkeypatch):
    # a small size limit keeps the request in memory (the 10 MB itself: tests/unit/test_files.py)
    monkeypatch.setattr(files, "DOCUMENTS", files.Policy(files.DOCUMENTS.extensions, 1000, 5))
    applicant, path = application["applicant"], f"/accreditations/{application['id']}/files"
    # who may not see the application learns nothing about it, not even that a file is bad
    error_of(_send(api, path, make.provider(), _files("files", (b"MZ", "x.exe"))), 404, "not_found")
    error_of(_send(api, path, None, _files("files", (PDF, "a.pdf"))), 401, "unauthorized")
    error_of(api.post(path, applicant, json={"files": []}), 400, "bad_request")
    for data in (
        _files("files", (b"MZ\x90\x00", "tool.exe")),  # type
        _files("files", (PDF + b"0" * 1000, "big.pdf")),  # size
        _files("files", *[(PDF, f"{n}.pdf") for n in range(6)]),  # count
        {},  # none
    ):
        bad = error_of(_send(api, path, applicant, data), 422, "validation_error")
        assert list(bad["fields"]) == ["files"]
    assert _stored(app) == [] and db.session.query(Attachment).count() == 0

    sent = _send(api, path, applicant, _files("files", (PDF, "营业执照.pdf"), (PNG, "团队.png")))
    assert sent.status_code == 201, sent.get_json()
    assert [f["filename"] for f in sent.get_json()["files"]] == ["营业执照.pdf", "团队.png"]
    assert sorted(p.read_bytes() for p in _stored(app)) == sorted([PDF, PNG])
    # four more would make six: refused as on the page
    more = _send(api, path, applicant, _files("files", *[(PDF, f"{n}.pdf") for n in range(4)]))
    assert list(error_of(more, 422, "validation_error")["fields"]) == ["files"]
    # the administrator is not the applicant
    error_of(_send(api, path, application["admin"], _files("files", (PDF, "a.pdf"))), 403,
             "forbidden")  # fmt: skip


class TestQuota:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "UPLOAD_QUOTA_BYTES": 100}

    def test_the_organisation_quota_holds_through_the_api(self, api, app, application):
        path = f"/accreditations/{application['id']}/files"
        refused = _send(api, path, application["applicant"], _files("files", (PDF * 4, "a.pdf")))
        assert list(error_of(refused, 422, "validation_error")["fields"]) == ["files"]
        assert _stored(app) == []


def test_showcase_pictures_through_the_api(api, app, make):
    admin, designer = make.admin(), make.provider(name="渝西工业设计有限公司")
    case = providers.add_case(
        db.session, designer, designer.organization.provider.id,
        {"title": "电动车前脸设计", "description": "前脸改型", "year": 2025},
    )  # fmt: skip
    db.session.commit()
    year = api.post(
        "/showcase-years",
        admin,
        json={"year": 2026, "title": "2026“重庆好设计”评选", "criteria": CRITERIA,
              "min_reviewers": 1, "closes_on": CLOSES},
    ).get_json()  # fmt: skip
    entry = api.post(
        "/showcase-entries",
        designer,
        json={"year_id": year["id"], "source": "case", "case_id": case.id, "title": "前脸设计",
              "cluster": "nev-ice", "services": ["appearance-design"], "problem": "外观陈旧",
              "design": "家族化前脸"},
    )  # fmt: skip
    assert entry.status_code == 201, entry.get_json()
    entry = entry.get_json()
    path = f"/showcase-entries/{entry['id']}/images"
    error_of(_send(api, path, make.provider(), _files("after", (PNG, "a.png"))), 404, "not_found")
    none = error_of(_send(api, path, designer, {}), 422, "validation_error")
    assert list(none["fields"]) == ["after"]
    pdf = error_of(_send(api, path, designer, _files("before", (PDF, "a.pdf"))), 422,
                   "validation_error")  # fmt: skip
    assert list(pdf["fields"]) == ["before"]
    assert _stored(app) == []
    sent = _send(
        api,
        path,
        designer,
        {**_files("before", (PNG, "前.png")), **_files("after", (PNG, "后.png"))},
    )
    assert sent.status_code == 201, sent.get_json()
    assert [i["purpose"] for i in sent.get_json()["images"]] == ["before", "after"]
    assert len(_stored(app)) == 2


def test_the_openapi_document_describes_the_multipart_bodies(api):
    paths = api.get("/openapi.json").get_json()["paths"]
    files = paths["/api/v1/accreditations/{accreditation_id}/files"]["post"]["requestBody"]
    schema = files["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["files"]["items"]["format"] == "binary"
    images = paths["/api/v1/showcase-entries/{entry_id}/images"]["post"]["requestBody"]
    assert set(images["content"]["multipart/form-data"]["schema"]["properties"]) == {
        "before",
        "after",
    }
