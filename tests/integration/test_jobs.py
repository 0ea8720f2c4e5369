"""Background jobs: queued after the commit (never before), retried with backoff, failures
recorded for administrators, dead workers' jobs swept; a hanging engine costs a request
nothing."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
from huey.storage import MemoryStorage
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.jobs import huey, tracking
from matchmaker.models import Demand, IndexOutbox, JobRun, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import demands, mail
from matchmaker.transaction import commit, rollback
from search import DEMANDS, SearchQuery, SearchUnavailable
from tests.api.conftest import demand_body
from tests.conftest import free_port


@pytest.fixture
def queued(app):
    """Jobs wait in a queue (in memory) instead of running at once, as in a web process."""
    huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    huey.immediate = False
    huey.storage = huey.create_storage()
    yield huey
    huey.immediate = True


def run_queue() -> list[str]:
    """What a worker does: run every queued job; returns their names."""
    names = []
    while (task := huey.dequeue()) is not None:
        names.append(task.name)
        huey.execute(task)
    return names


def runs(name: str | None = None) -> list[JobRun]:
    """Job records as written meanwhile by the queue (on its own connection)."""
    query = select(JobRun).order_by(JobRun.enqueued_at).execution_options(populate_existing=True)
    if name:
        query = query.where(JobRun.name == name)
    return list(db.session.scalars(query))


def indexed_titles() -> set[str]:
    backend = get_search()
    backend.refresh()
    hits = backend.search(SearchQuery(index=DEMANDS, per_page=100)).hits
    return {db.session.get(Demand, h.id).title for h in hits}


def test_index_delivery_is_queued_after_the_commit_and_not_before(app, make, queued):
    owner, admin = make.enterprise(), make.admin()
    run_queue()
    demands.create_demand(
        db.session, admin, demand_body(organization_id=owner.organization_id), "published"
    )
    assert queued.pending_count() == 0 and runs() == []  # nothing before the commit
    commit()
    assert [t.name for t in queued.pending()] == ["deliver_index"]
    assert [(r.name, r.status) for r in runs()] == [("deliver_index", "queued")]
    assert indexed_titles() == set()  # the request did not index

    assert run_queue() == ["deliver_index"]
    assert [(r.status, r.attempts, r.worker is not None) for r in runs()] == [("done", 1, True)]
    assert indexed_titles() == {demand_body()["title"]}

    demands.create_demand(
        db.session, admin, demand_body(organization_id=owner.organization_id, title="另一个需求")
    )
    rollback()
    commit()
    assert queued.pending_count() == 0  # a rolled-back write queues nothing


def test_a_failing_job_is_retried_with_backoff_then_recorded_as_failed(app, queued):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    mail.queue(db.session, "a@example.cn", "主题", "正文")
    commit()
    run_queue()
    (run,) = runs("send_mail")
    assert run.status == "retrying" and "mail to a@example.cn failed" in run.error
    delays = []
    while (scheduled := queued.scheduled()) != []:
        (task,) = scheduled
        delays.append(round((task.eta - utcnow()).total_seconds() / 10) * 10)
        queued.storage.flush_schedule()
        queued.execute(task, timestamp=task.eta)  # the worker, once the delay has passed
    assert delays == [30, 60, 120, 240, 480, 960]  # backoff: ×2 each time
    (run,) = runs("send_mail")
    assert run.status == "failed" and run.attempts == 7 and "failed" in run.error


def test_index_delivery_is_retried_while_the_engine_is_down(app, make, queued, monkeypatch):
    owner, admin = make.enterprise(), make.admin()
    backend = get_search()

    def down(*args, **kwargs):
        raise SearchUnavailable("engine down")

    monkeypatch.setattr(backend, "index", down)
    make.demand(owner, admin=admin)
    run_queue()
    (run,) = runs("deliver_index")
    assert run.status == "retrying" and "engine down" in run.error
    outbox = db.session.scalars(select(IndexOutbox)).all()
    assert outbox and {o.attempts for o in outbox} == {1}  # kept, with the error

    monkeypatch.undo()
    (task,) = queued.scheduled()
    queued.execute(task, timestamp=task.eta)
    assert [r.status for r in runs("deliver_index")] == ["done"]
    assert db.session.scalars(select(IndexOutbox)).all() == []


def test_a_running_job_whose_worker_stopped_beating_is_failed(app):
    now = utcnow()
    db.session.add_all(
        [
            JobRun(
                id="dead",
                name="run_import",
                status="running",
                heartbeat_at=now - dt.timedelta(minutes=5),
            ),
            JobRun(id="alive", name="run_import", status="running", heartbeat_at=now),
        ]
    )
    commit()
    assert tracking.sweep(db.session) == ["dead"]
    commit()
    assert {r.id: r.status for r in runs()} == {"dead": "failed", "alive": "running"}
    assert "worker stopped" in db.session.get(JobRun, "dead").error


class Silent:
    """A server that accepts connections and never answers: a hanging engine."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


@pytest.fixture
def silent():
    server = Silent()
    yield server
    server.close()


@pytest.fixture
def app_config(app_config, request):
    if "silent" in request.fixturenames:
        server = request.getfixturevalue("silent")
        app_config.update(
            ELASTICSEARCH_URL=f"http://127.0.0.1:{server.port}", ELASTICSEARCH_TIMEOUT=1.5
        )
    return app_config


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_a_hanging_engine_costs_a_request_nothing(app, client, auth, make, queued, silent):
    try:
        _hanging_engine(client, auth, make, silent)
    finally:
        get_search().close()
        app.extensions["search"] = None  # nothing to clean up in an engine that never answers


def _hanging_engine(client, auth, make, silent):
    from tests.api.conftest import Api

    api = Api(client)
    owner, admin = make.enterprise(), make.admin()
    body = demand_body(organization_id=owner.organization_id, status="published")
    calls = len(silent.held)
    created = api.post("/demands", user=admin, json=body)
    assert created.status_code == 201 and len(silent.held) == calls  # delivery is a job
    assert db.session.scalars(select(IndexOutbox)).all() != []

    slow = [_timed(lambda: api.get("/demands?q=外观", user=admin)) for _ in range(3)]
    assert [r.status_code for r, _ in slow] == [503] * 3
    assert min(took for _, took in slow) >= 1.5  # each waited for the client's timeout
    calls = len(silent.held)
    fast, took = _timed(lambda: api.get("/demands?q=外观", user=admin))
    assert fast.status_code == 503 and took < 1.0  # the breaker is open: not even tried

    auth.login(admin.email)
    page = client.get("/leads?q=外观")
    assert page.status_code == 200 and "搜索服务暂时不可用" in page.get_data(as_text=True)
    assert len(silent.held) == calls  # no connection to the engine since the breaker opened
