"""/healthz and /readyz (API.md, Operations): readiness names each part that really fails."""

from __future__ import annotations

from matchmaker import create_app
from tests.conftest import base_config
from tests.operations.conftest import closed_port


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_200_when_every_part_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"checks": {"database": "ok", "search": "ok", "queue": "ok"}}


def _readyz(config: dict) -> tuple[int, dict]:
    app = create_app(config)
    try:
        response = app.test_client().get("/readyz")
        return response.status_code, response.get_json()["checks"]
    finally:
        with app.app_context():
            from matchmaker.extensions import db

            db.engine.dispose()


def test_readyz_names_the_database_when_it_is_down(database_url, tmp_path):
    port = closed_port()
    config = base_config(database_url, tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = f"postgresql+psycopg://nobody:x@127.0.0.1:{port}/none"
    status, checks = _readyz(config)
    assert status == 503
    assert checks["search"] == "ok"
    assert checks["database"].startswith("unavailable: ") and str(port) in checks["database"]


def test_readyz_names_elasticsearch_when_it_is_down(database_url, tmp_path):
    port = closed_port()
    config = base_config(database_url, tmp_path)
    config["ELASTICSEARCH_URL"] = f"http://127.0.0.1:{port}"
    status, checks = _readyz(config)
    assert status == 503
    assert checks["database"] == "ok"
    assert checks["search"].startswith("unavailable: Elasticsearch unavailable")


def test_readyz_names_the_embedded_index_when_its_file_cannot_open(database_url, tmp_path):
    config = base_config(database_url, tmp_path)
    (tmp_path / "a-folder").mkdir()
    config["EMBEDDED_SEARCH_PATH"] = str(tmp_path / "a-folder")  # a folder, not a file
    status, checks = _readyz(config)
    assert status == 503 and checks["database"] == "ok"
    assert checks["search"].startswith("unavailable: ")


def test_readyz_names_the_job_queue_when_redis_is_down(database_url, tmp_path):
    port = closed_port()
    config = base_config(database_url, tmp_path)
    config.update(REDIS_URL=f"redis://127.0.0.1:{port}/0", JOBS_IMMEDIATE=False)
    status, checks = _readyz(config)
    assert status == 503
    assert checks["database"] == "ok" and checks["search"] == "ok"
    assert checks["queue"].startswith("unavailable: ") and str(port) in checks["queue"]
