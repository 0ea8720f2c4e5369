"""Defaults that protect a deployment: caching, HSTS, private files, unsafe characters, quotas."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matchmaker import create_app
from matchmaker.extensions import db
from matchmaker.models import Attachment, Demand, Organization
from matchmaker.search_engine import get_search
from matchmaker.services import files
from tests.api.conftest import Api, demand_body, error_of, provider_body
from tests.factories import credit_code
from tests.integration.test_import import PROVIDER_HEADERS, csv_bytes, provider_row
from tests.web.pages import errors_of, login, page, stored_files
from tests.web.test_auth import VALID as REGISTRATION
from tests.web.test_demands import PDF, PNG
from tests.web.test_demands import VALID as DEMAND_FORM


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


# --- caching -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/guides"])
def test_pages_are_not_stored_by_caches(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_signed_in_pages_and_api_answers_are_not_stored(client, auth, make, api):
    owner = make.enterprise()
    provider = make.provider()
    demand = make.demand(owner)
    interest = make.interest(provider, demand)
    accepted = api.post(f"/interests/{interest.id}/accept", owner)
    assert accepted.get_json()["contact"] is not None  # contact details in the answer …
    assert accepted.headers["Cache-Control"] == "no-store"  # … never kept by a cache
    assert api.get(f"/demands/{demand.id}", provider).headers["Cache-Control"] == "no-store"
    login(auth, owner)
    assert client.get(f"/demands/{demand.id}").headers["Cache-Control"] == "no-store"


def test_public_and_static_files_keep_their_own_caching(client, api):
    with client.get("/static/css/app.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "no-store" not in api.get("/taxonomy").headers.get("Cache-Control", "")


# --- HSTS --------------------------------------------------------------------------------------


def test_no_hsts_without_secure_cookies(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


class TestBehindHttps:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "SESSION_COOKIE_SECURE": True}

    @pytest.mark.parametrize("path", ["/", "/api/v1/taxonomy"])
    def test_hsts_when_cookies_are_secure(self, client, path):
        header = client.get(path).headers["Strict-Transport-Security"]
        assert header.startswith("max-age=") and int(header.split("=")[1]) >= 180 * 86400


# --- private files -----------------------------------------------------------------------------


@pytest.fixture
def usual_umask():
    """The usual umask (022): files must be private whatever the umask allows."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_instance_secret_database_index_and_uploads_are_private(
    tmp_path, monkeypatch, make, usual_umask
):
    instance = tmp_path / "instance"
    monkeypatch.setenv("MATCHMAKER_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app(
        {"EMBEDDED_SEARCH_PATH": str(instance / "search.sqlite3"), "ELASTICSEARCH_URL": None}
    )
    uploads = instance / "uploads"
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(instance / "matchmaker.sqlite3") == 0o600
    assert mode(instance / "jobs.sqlite3") == 0o600  # the job queue's file
    with app.app_context():
        get_search()
        assert mode(instance / "search.sqlite3") == 0o600
        upload = files.Upload("说明.pdf", "pdf", PDF)
        files._write(uploads, files._row(upload), upload.data)
        db.engine.dispose()
    assert mode(uploads) == 0o700
    assert [mode(f) for f in uploads.iterdir()] == [0o600]


def test_kept_survey_files_are_private(client, auth, make, app, usual_umask):
    login(auth, make.admin())
    survey = csv_bytes([PROVIDER_HEADERS, provider_row(1)])
    data = {"kind": "providers", "file": (io.BytesIO(survey), "a.csv")}
    response = client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, page(response)
    folder = Path(app.config["UPLOAD_FOLDER"]) / "imports"
    assert mode(folder) == 0o700 and [mode(f) for f in folder.iterdir()] == [0o600]


# --- unsafe characters -------------------------------------------------------------------------

UNSAFE = ["\x00", "\u202e", "\u2066", "\x1b"]


@pytest.mark.parametrize("character", UNSAFE, ids=["nul", "rlo", "lri", "esc"])
def test_api_rejects_control_and_bidi_override_characters(api, make, character):
    owner = make.enterprise()
    error = error_of(
        api.post("/demands", owner, json=demand_body(title=f"外观{character}设计")),
        422,
        "validation_error",
    )
    assert list(error["fields"]) == ["title"]
    admin = make.admin()
    cases = [{"title": f"案例{character}", "year": 2024}]
    error = error_of(
        api.post("/providers", admin, json=provider_body(cases=cases)), 422, "validation_error"
    )
    assert list(error["fields"]) == ["cases"]
    assert db.session.scalar(select(func.count(Demand.id))) == 0


def test_ordinary_text_with_newlines_and_tabs_is_fine(api, make):
    owner = make.enterprise()
    body = demand_body(description="第一行\n第二行\t（含制表符）\r\n第三行")
    assert api.post("/demands", owner, json=body).status_code == 201


@pytest.mark.parametrize("character", UNSAFE, ids=["nul", "rlo", "lri", "esc"])
def test_pages_reject_control_and_bidi_override_characters(client, character):
    data = {**REGISTRATION, "organization_name": f"重庆{character}机械有限公司"}
    response = client.post("/register", data=data)
    assert response.status_code == 400
    assert "organization_name" in page(response)
    assert db.session.scalar(select(func.count(Organization.id))) == 0
    assert client.get(f"/guides?q=a{character}b").status_code == 400


def test_sign_in_with_a_nul_is_a_clear_error(client, make):
    make.enterprise()
    response = client.post("/login", data={"email": "a\x00@example.cn", "password": "x"})
    assert response.status_code == 400


# --- upload quota ------------------------------------------------------------------------------


class TestUploadQuota:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "UPLOAD_QUOTA_BYTES": 3 * len(PDF) + 10}

    def test_an_organisation_cannot_store_more_than_its_quota(self, client, auth, make, app):
        login(auth, make.enterprise())

        def post(names):
            attachments = [(io.BytesIO(PDF), name) for name in names]
            data = {**DEMAND_FORM, "action": "submit", "attachments": attachments}
            return client.post("/demands/new", data=data, content_type="multipart/form-data")

        assert post(["a.pdf", "b.pdf"]).status_code == 302
        response = post(["c.pdf", "d.pdf"])
        assert response.status_code == 422
        assert any("上限" in m for m in errors_of(page(response), "attachments")), page(response)
        assert db.session.scalar(select(func.count(Demand.id))) == 1
        assert len(stored_files(app)) == 2
        assert post(["c.pdf"]).status_code == 302  # what still fits is accepted

    def test_files_of_messages_proposals_and_evidence_count_too(self, client, auth, make, app):
        """Every file an organisation stores counts against its own quota: a provider fills
        it with a proposal's, a message's and its evidence's files; a message of the
        enterprise on the same interest counts against the enterprise, not the provider."""
        provider, owner = make.provider(), make.enterprise()
        interest = make.interest(provider, make.demand(owner))
        conversation = f"/interests/{interest.id}"

        def send(path, field="attachments", name="附件.pdf", **data):
            data[field] = [(io.BytesIO(PDF), name)]
            return client.post(path, data=data, content_type="multipart/form-data")

        login(auth, provider)
        assert send(f"{conversation}/proposal", message="修订方案").status_code == 302
        assert send(f"{conversation}/messages", body="方案书见附件").status_code == 302
        evidence = {"registered_name": "设计公司", "credit_code": credit_code(778001)}
        assert send("/account/verification", "licence", **evidence).status_code == 302
        assert files.stored_bytes(db.session, provider.organization_id) == 3 * len(PDF)
        refused = send(f"{conversation}/messages", body="再发一份")
        assert refused.status_code == 422
        assert any("上限" in m for m in errors_of(page(refused), "attachments")), page(refused)
        assert len(stored_files(app)) == 3
        auth.logout()
        login(auth, owner)
        assert send(f"{conversation}/messages", body="收到，另附要求").status_code == 302
        assert files.stored_bytes(db.session, owner.organization_id) == len(PDF)
        assert files.stored_bytes(db.session, provider.organization_id) == 3 * len(PDF)
        assert len(stored_files(app)) == 4

    def test_portfolio_images_count_against_the_same_quota(self, client, auth, make, app):
        user = make.provider()
        login(auth, user)
        big = PNG + b"\x00" * (3 * len(PDF))
        data = {"title": "案例", "images": [(io.BytesIO(big), "a.png")]}
        response = client.post(
            "/providers/profile/cases/new", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 422
        assert any("上限" in m for m in errors_of(page(response), "images"))
        assert db.session.scalar(select(func.count(Attachment.id))) == 0
