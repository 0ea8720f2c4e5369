"""Unread messages reach their readers by e-mail once, in one digest per person, after they
waited half an hour unread; read ones are not mailed."""

from __future__ import annotations

import datetime as dt

from matchmaker.extensions import db
from matchmaker.models import utcnow
from matchmaker.services import conversations, message_digests
from matchmaker.transaction import commit


def later(minutes: int) -> dt.datetime:
    return utcnow() + dt.timedelta(minutes=minutes)


def test_one_digest_per_person_once_after_half_an_hour(make, mail_sink):
    owner = make.enterprise()
    provider = make.provider()
    first = make.interest(provider, make.demand(owner, title="头盔外观设计"))
    second = make.interest(provider, make.demand(owner, title="车灯结构设计"))
    for interest in (first, first, second):
        conversations.post(db.session, provider, interest.id, {"body": "请查看方案"})
    commit()

    assert message_digests.send(db.session, "https://mm.example", now=later(10)) == 0
    assert message_digests.send(db.session, "https://mm.example", now=later(31)) == 1
    commit()
    ((to, subject, body),) = mail_sink.mails()
    assert to == owner.email and "3 条未读消息" in subject
    assert "需求“头盔外观设计”：2 条未读消息" in body
    assert f"https://mm.example/interests/{second.id}#conversation" in body
    # mailed once; a reply (which marks the conversation read for its writer) reaches the other
    assert message_digests.send(db.session, "https://mm.example", now=later(90)) == 0
    conversations.post(db.session, owner, first.id, {"body": "收到"})
    commit()
    assert message_digests.send(db.session, "https://mm.example", now=later(120)) == 1
    commit()
    assert mail_sink.mails()[-1][0] == provider.email and "1 条未读消息" in mail_sink.mails()[-1][1]


def test_read_messages_are_not_mailed(make, mail_sink):
    owner = make.enterprise()
    provider = make.provider()
    interest = make.interest(provider, make.demand(owner))
    conversations.post(db.session, provider, interest.id, {"body": "您好"})
    conversations.read(db.session, owner, interest.id)
    commit()
    assert message_digests.send(db.session, "https://mm.example", now=later(60)) == 0
    commit()
    assert mail_sink.mails() == []
