"""Beyond one machine the job queue lives in Redis (REDIS_URL): a real redis-server on loopback."""

from __future__ import annotations

import pytest
from huey.storage import RedisStorage

from matchmaker.extensions import db
from matchmaker.jobs import huey
from matchmaker.models import JobRun
from matchmaker.services import mail
from matchmaker.transaction import commit


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
