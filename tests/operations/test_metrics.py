"""Prometheus metrics: what they measure, and who may read them."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from matchmaker.extensions import db
from matchmaker.models import IndexOutbox

REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def _samples(response) -> dict:
    """(name, frozenset(labels)) → value."""
    out = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def _value(samples: dict, name: str, **labels) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def test_request_latency_is_recorded_by_endpoint(client):
    before = _value(
        _samples(client.get("/metrics")),
        "matchmaker_request_duration_seconds_count",
        endpoint="api.taxonomy",
        method="GET",
        status="200",
    )
    for _ in range(3):
        assert client.get("/api/v1/taxonomy").status_code == 200
    samples = _samples(client.get("/metrics"))
    after = _value(
        samples,
        "matchmaker_request_duration_seconds_count",
        endpoint="api.taxonomy",
        method="GET",
        status="200",
    )
    assert after - before == 3
    assert (
        _value(
            samples,
            "matchmaker_request_duration_seconds_bucket",
            endpoint="api.taxonomy",
            le="+Inf",
        )
        >= 3
    )


def test_search_latency_counts_each_query_with_its_outcome(client, auth, make):
    labels = {"operation": "search", "outcome": "ok"}
    before = _value(
        _samples(client.get("/metrics")), "matchmaker_search_duration_seconds_count", **labels
    )
    auth.login(make.enterprise().email)
    assert client.get("/providers", query_string={"q": "设计"}).status_code == 200
    after = _value(
        _samples(client.get("/metrics")), "matchmaker_search_duration_seconds_count", **labels
    )
    assert after - before >= 1


def test_outbox_backlog_is_read_from_the_database(client):
    assert _value(_samples(client.get("/metrics")), "matchmaker_outbox_pending") == 0
    db.session.add_all(IndexOutbox(kind="demands", record_id=i, version=1) for i in (1, 2, 3))
    db.session.commit()
    assert _value(_samples(client.get("/metrics")), "matchmaker_outbox_pending") == 3


def test_without_a_token_only_a_local_scraper_not_behind_a_proxy_may_read(client):
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base=REMOTE).status_code == 404
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 404


def test_with_a_token_only_its_holder_may_read(app, client):
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 404  # loopback is not enough any more
    wrong = {"Authorization": "Bearer guess"}
    assert client.get("/metrics", headers=wrong, environ_base=REMOTE).status_code == 404
    right = {"Authorization": "Bearer s3cret-scrape-token"}
    response = client.get("/metrics", headers=right, environ_base=REMOTE)
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and "matchmaker_outbox_pending" in response.text


def test_queue_depth_and_failed_jobs_are_exposed(client):
    from huey.storage import MemoryStorage

    from matchmaker.jobs import huey
    from matchmaker.models import JobRun
    from matchmaker.services import mail
    from matchmaker.transaction import commit

    assert _value(_samples(client.get("/metrics")), "matchmaker_jobs_failed") == 0
    db.session.add(JobRun(id="x", name="send_mail", status="failed", args=[]))
    db.session.commit()
    assert _value(_samples(client.get("/metrics")), "matchmaker_jobs_failed") == 1

    huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    huey.immediate = False  # queued, as in a web process
    huey.storage = huey.create_storage()
    try:
        client.application.config["MAIL_SERVER"] = "127.0.0.1"
        mail.queue(db.session, "a@example.cn", "s", "b")
        commit()
        assert _value(_samples(client.get("/metrics")), "matchmaker_jobs_queued") == 1
    finally:
        huey.immediate = True
