"""Fixtures in the style of Flask's tutorial: app, client, runner, and role helpers.

The database is SQLite unless TEST_DATABASE_URL points at PostgreSQL; the schema is built
once per run with the real migrations. Under pytest-xdist every worker has a database of its
own (its own SQLite file, or ``<database>_<worker>`` on the PostgreSQL server, kept between
runs).

Building an app costs more than most tests, so one app serves every test of a process: each
test starts from empty tables, with a search index and an upload folder of its own, and any
change a test makes to ``app.config`` or ``app.extensions`` is undone after it. A test that
changes ``app_config`` gets an app of its own, built from exactly that configuration; so does
a test marked ``own_app`` (one that adds routes or hooks to the app).
"""

from __future__ import annotations

import email
import email.policy
import functools
import logging
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
import requests
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import (
    Engine,
    create_engine,
    event,
    exists,
    literal,
    make_url,
    select,
    text,
    union_all,
)
from werkzeug.serving import make_server

from matchmaker import create_app
from matchmaker.extensions import db, limiter
from matchmaker.jobs import queue as job_queue
from matchmaker.models import User
from matchmaker.observability import logs
from matchmaker.services import accounts, api_tokens
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# "gw0", "gw1", … in a pytest-xdist worker; empty in a plain run
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
T = TypeVar("T")

# Hypothesis (and schemathesis through it) keeps its example database and caches in the
# user's cache folder instead of .hypothesis/ in the checkout. Kept between runs: its table of
# the characters UTF-8 can encode takes seconds to build.
set_hypothesis_home_dir(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matchmaker-hypothesis"
)


@event.listens_for(Engine, "connect")
def _commit_without_flushing_to_disk(dbapi_connection, connection_record) -> None:
    """Test databases need not survive a power cut: commits skip the wait for the disk flush
    (SQLite's synchronous=OFF, PostgreSQL's synchronous_commit=off), which on a busy machine
    costs 10-20 ms a commit. Transactions, isolation and constraints are unchanged."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")
    else:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
        dbapi_connection.commit()  # SET is undone with a rolled-back transaction


def _worker_database(url: str) -> str:
    """This xdist worker's database next to the one in ``url``: ``<name>_<worker>``.

    Created on first use (the role needs CREATEDB) and kept for the next run: PostgreSQL's
    DROP DATABASE forces a checkpoint, which on a busy server takes longer than the tests.
    """
    name = f"{make_url(url).database}_{XDIST_WORKER}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """The migrated test database of this process."""
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        if XDIST_WORKER:
            url = _worker_database(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        if os.environ.get("MATCHMAKER_REQUIRE_POSTGRES") and not os.environ.get(
            "TEST_POSTGRES_URL"
        ):
            pytest.fail("CI requires the PostgreSQL pass, but TEST_POSTGRES_URL is not set")
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    return url


def base_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ELASTICSEARCH_URL": None,
        "EMBEDDED_SEARCH_PATH": str(tmp_path / "search.sqlite3"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "MAIL_SERVER": None,
        # cheap argon2id: the cost is a deployment setting, not what these tests check
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "ARGON2_PARALLELISM": 1,
    }


# Every sequence of the schema restarts at 1, as after TRUNCATE … RESTART IDENTITY.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


@functools.cache
def _tables_with_rows():
    """One query naming every table that holds a row (most tests write to a few of 52)."""
    return union_all(
        *(
            select(literal(table.name)).where(exists(select(1).select_from(table)))
            for table in db.metadata.sorted_tables
        )
    )


def _empty_tables() -> None:
    """Delete every row, dependent tables first; on PostgreSQL ids start again at 1.

    Only the tables that hold rows are emptied, found with one query: a DELETE per table of the
    schema cost 7 ms on SQLite and 12 ms on PostgreSQL (client CPU) per test. DELETE rather
    than TRUNCATE: on the few rows a test writes it takes milliseconds where PostgreSQL's
    TRUNCATE takes a quarter to half a second. The sequences restart even when no table holds
    a row, as a rolled-back insert uses up an id too.
    """
    filled = set(db.session.scalars(_tables_with_rows()))
    for table in reversed(db.metadata.sorted_tables):
        if table.name in filled:
            db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(_RESTART_SEQUENCES)
    db.session.commit()


def _close_search(app) -> None:
    backend = app.extensions.get("search")
    if backend is not None:
        backend.drop_all()
        backend.close()


def _restore_process_state(app) -> None:
    """The log handler, the rate limiter's switch, the password hasher and the job queue are
    process-wide, set by whichever app was built last: a dedicated app (text logs, rate limits
    on, another hashing cost, a queue in a file) must not leak them into the shared one."""
    logs.configure(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    limiter.init_app(app)
    job_queue.init_app(app)
    accounts.configure_hashing(
        app.config["ARGON2_TIME_COST"],
        app.config["ARGON2_MEMORY_KIB"],
        app.config["ARGON2_PARALLELISM"],
    )


@pytest.fixture
def app_config(request, database_url, tmp_path) -> dict:
    """Tests may change this mapping before the ``app`` fixture is created. The embedded
    search backend unless a test asks for both with ``@both_search_backends``."""
    config = base_config(database_url, tmp_path)
    return use_search_backend(config, getattr(request, "param", "embedded"))


@pytest.fixture(scope="session")
def shared_app(database_url, tmp_path_factory):
    """The app every test borrows unless it changes ``app_config`` (see ``app``)."""
    app = create_app(base_config(database_url, tmp_path_factory.mktemp("shared-app")))
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def _serving(app):
    """An application context over empty tables; afterwards the session and search are closed."""
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _close_search(app)


@pytest.fixture
def app(request, app_config, database_url, tmp_path):
    """The app under test, inside an application context, over empty tables.

    With the default configuration this is the shared app, pointed at this test's search file
    and upload folder; its configuration and extensions are restored afterwards. A changed
    ``app_config``, or the ``own_app`` marker (for tests that add routes or hooks), builds a
    dedicated app, disposed of afterwards.
    """
    dedicated = request.node.get_closest_marker("own_app") or app_config != base_config(
        database_url, tmp_path
    )
    if dedicated:
        app = create_app(app_config)
        with _serving(app):
            yield app
        with app.app_context():
            db.engine.dispose()
        return

    app = request.getfixturevalue("shared_app")
    config, extensions = dict(app.config), dict(app.extensions)
    app.config.update(app_config)
    app.extensions["search"] = None  # created on first use, from this test's settings
    _restore_process_state(app)
    try:
        with _serving(app):
            yield app
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories bound to the test database (see tests/factories.py)."""
    return factories.Factories(db.session)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in page"
    return match.group(1)


# --- live servers, threads released together, Redis ------------------------------------


class Browser(requests.Session):
    """One browser: its own cookie jar; paths are relative to the server; no redirects followed."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url

    def request(self, method, path, **kwargs):
        kwargs["allow_redirects"] = False  # requests' get() would ask to follow them
        kwargs.setdefault("timeout", 60)
        return super().request(method, self.url + path, **kwargs)


class LiveServer:
    """The test's app served over real HTTP.

    Requests to it run as in production, each in an application context of its own (the
    test client instead shares the test's context, and with it ``g``, between requests).
    """

    def __init__(self, url: str):
        self.url = url

    def browser(self) -> Browser:
        return Browser(self.url)

    @staticmethod
    def token(user: User) -> str:
        """A bearer token, made in the test's thread (worker threads have no database session)."""
        token, _ = api_tokens.issue(db.session, user, 1)
        db.session.commit()
        return token

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        """One API request with ``token`` on a connection of its own."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        with requests.Session() as http:
            return http.request(
                method, f"{self.url}/api/v1{path}", headers=headers, timeout=60, **kwargs
            )


@pytest.fixture
def live(app) -> LiveServer:
    """The test's app (same database and configuration) behind a threaded server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(10)


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run every call in a thread of its own, all released together; results in call order.

    An exception in a call is returned in its place, so one failure does not hide the others.
    """
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # reported by the caller's assertions
            results[index] = exc

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> str:
    """A private Redis on a free loopback port for this test run (CI installs redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server not found: install Debian's redis-server package")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
def redis_url(redis_server) -> str:
    """The private Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server


# --- which tests reach the database; volume tests -----------------------------------------


def pytest_addoption(parser) -> None:
    parser.addoption("--slow", action="store_true", help="also run the tests marked slow")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items) -> None:
    """Every test whose fixtures reach ``database_url`` (``app``, ``make``, ``client``, …) is
    marked ``database``, read from its fixture closure rather than kept as a list by hand: the
    others (search backends, parsers, tooling) cannot tell SQLite from PostgreSQL, so the
    PostgreSQL pass of scripts/run_tests.py runs only ``-m database``.

    Tests marked slow (volume) are deselected unless --slow is given."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.database)
    if config.getoption("--slow"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


# --- where the time goes ------------------------------------------------------------------

_PHASE_SECONDS: dict[str, float] = defaultdict(float)
_FILE_SECONDS: dict[str, float] = defaultdict(float)
SLOWEST_FILES = 12
PHASES = ("setup", "call", "teardown")


def pytest_runtest_logreport(report) -> None:
    _PHASE_SECONDS[report.when] += report.duration
    _FILE_SECONDS[report.nodeid.split("::")[0]] += report.duration


def time_summary(phases: dict[str, float], files: dict[str, float]) -> list[str]:
    """Seconds spent in setup, call and teardown, and the test files that took longest, summed
    over their tests' three phases (under xdist the workers' times add up, so the sums can
    exceed the wall time)."""
    if not phases:
        return []
    parts = ", ".join(f"{when} {phases.get(when, 0):.1f}s" for when in PHASES)
    slowest = sorted(files.items(), key=lambda item: -item[1])[:SLOWEST_FILES]
    return [
        f"time in test phases: {parts}",
        "slowest test files: " + ", ".join(f"{path} {seconds:.1f}s" for path, seconds in slowest),
    ]


def pytest_terminal_summary(terminalreporter) -> None:
    for line in time_summary(_PHASE_SECONDS, _FILE_SECONDS):
        terminalreporter.write_line(line)


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def mails(self) -> list[tuple[str, str, str]]:
        """(first recipient, subject, plain-text body) of every message received."""
        out = []
        for envelope in self.messages:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            out.append((envelope.rcpt_tos[0], str(message["Subject"]), message.get_content()))
        return out

    def bodies(self, address: str | None = None) -> list[str]:
        """The plain-text bodies received (for one recipient, if given)."""
        return [
            email.message_from_bytes(m.content, policy=email.policy.default).get_content()
            for m in self.messages
            if address is None or address in m.rcpt_tos
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[_Sink, int]]:
    """A real SMTP server on loopback that keeps what it receives, and its port: e-mail
    leaves our control, so tests read it where it arrives instead of mocking the sender."""
    from aiosmtpd.controller import Controller

    # The server thread logs each connection's end, sometimes after pytest closed the
    # test's captured stream ("--- Logging error ---"): only its warnings are wanted.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = _Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def mail_sink(app):
    """A real local SMTP server the app sends to; ``mail_sink.messages`` are the envelopes."""
    with smtp_server() as (sink, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        yield sink


def use_search_backend(config: dict, kind: str) -> dict:
    """``config`` for the embedded backend (the default) or for the Elasticsearch server at
    ELASTICSEARCH_URL, under a random index prefix; for tests parametrised over both."""
    if kind == "elasticsearch":
        from tests.search.conftest import elasticsearch_url

        config.update(
            ELASTICSEARCH_URL=elasticsearch_url(),
            SEARCH_INDEX_PREFIX=f"test-{uuid.uuid4().hex[:10]}-",
            SEARCH_INDEX_REPLICAS=0,
        )
    return config


both_search_backends = pytest.mark.parametrize(
    "app_config", ["embedded", "elasticsearch"], indirect=True
)


SECRET_NAME = "重庆永川保密机械有限公司"  # the enterprise behind the demand of ``cast``
SECRET_EXTERNAL_ID = "survey-2026-secret-7"
TITLE = "智能头盔外观造型设计"


@pytest.fixture
def cast(make):
    """For the who-sees-what tests: an enterprise with a published demand (with an external
    id, answered by one provider) and a draft; another enterprise, a second provider."""
    from matchmaker.search_engine import get_search
    from matchmaker.services import demands

    admin = make.admin()
    owner = make.enterprise(name=SECRET_NAME)
    demand = make.demand(owner, admin=admin, title=TITLE)
    demands.update_demand(db.session, admin, demand.id, {"external_id": SECRET_EXTERNAL_ID})
    db.session.commit()
    provider = make.provider(name="渝州智造设计有限公司", services=["appearance-design"])
    people = {
        "admin": admin,
        "owner": owner,
        "other": make.enterprise(),
        "provider": provider,
        "bystander": make.provider(),
        "demand": demand,
        "draft": make.demand(owner, status="draft", title="尚未提交的草稿"),
        "interest": make.interest(provider, demand),
    }
    get_search().refresh()
    return people
