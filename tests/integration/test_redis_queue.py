"""Beyond one machine the job queue lives in Redis (REDIS_URL): a real redis-server on loopback."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis
from huey.storage import RedisStorage

from matchmaker.extensions import db
from matchmaker.jobs import huey
from matchmaker.models import JobRun
from matchmaker.services import mail
from matchmaker.transaction import commit
from tests.conftest import free_port


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    yield url
    client.close()
    process.terminate()
    process.wait(10)


@pytest.fixture
def app_config(app_config, request):
    if "redis_url" in request.fixturenames:
        app_config.update(REDIS_URL=request.getfixturevalue("redis_url"), JOBS_IMMEDIATE=False)
    return app_config


def test_jobs_queue_in_redis_after_the_commit(app, redis_url, mail_sink):
    assert isinstance(huey.storage, RedisStorage)
    try:
        mail.queue(db.session, "a@example.cn", "主题", "正文")
        assert huey.pending_count() == 0
        commit()
        (task,) = huey.pending()
        assert task.name == "send_mail"
        huey.execute(huey.dequeue())  # what a worker on another machine does
        assert [m.rcpt_tos for m in mail_sink.messages] == [["a@example.cn"]]
        assert db.session.get(JobRun, task.id).status == "done"
    finally:
        huey.immediate = True  # back to the tests' in-process queue
