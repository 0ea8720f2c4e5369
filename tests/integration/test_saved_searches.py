"""Saved lead searches: a daily digest of new matching demands, in-app and by e-mail."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Notification, SavedSearch, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import mail, saved_searches
from matchmaker.services.errors import Forbidden, ValidationFailed
from matchmaker.transaction import commit
from tests.conftest import free_port


def _later(hours: int) -> dt.datetime:
    return utcnow() + dt.timedelta(hours=hours)


def test_digest_lists_new_matching_demands_once_a_day(app, make, mail_sink):
    sink = mail_sink
    provider = make.provider()
    saved = saved_searches.save(
        db.session, provider, "汽车外观", {"q": "外观设计", "cluster": ["nev-ice"]}
    )
    commit()
    owner = make.enterprise()
    make.demand(owner, title="电动摩托车外观设计", cluster="motorcycle")  # other cluster
    wanted = make.demand(owner, title="新能源汽车产品外观造型设计")
    sent = saved_searches.send_digests(db.session, get_search(), "http://mm.test", now=_later(25))
    commit()
    assert sent == 1
    note = db.session.scalar(select(Notification).where(Notification.kind == "saved_search_digest"))
    assert note.params["titles"] == [wanted.title]
    assert len(sink.messages) == 1
    body = email.message_from_bytes(sink.messages[0].content, policy=policy.default).get_content()
    assert (
        f"/demands/{wanted.id}" in body and f"/alerts/unsubscribe/{saved.unsubscribe_token}" in body
    )

    make.demand(owner, title="另一个汽车外观设计需求")
    # within the day: nothing more, however much is new
    assert (
        saved_searches.send_digests(db.session, get_search(), "http://mm.test", now=_later(30)) == 0
    )


def test_unsubscribe_link_needs_no_login_and_stops_digests(app, client, make):
    provider = make.provider()
    saved = saved_searches.save(db.session, provider, "全部", {})
    commit()
    page = client.get(f"/alerts/unsubscribe/{saved.unsubscribe_token}")
    assert page.status_code == 200
    assert client.post(f"/alerts/unsubscribe/{saved.unsubscribe_token}").status_code == 200
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved.id).active is False
    make.demand(make.enterprise())
    assert saved_searches.send_digests(db.session, get_search(), "", now=_later(48)) == 0
    assert client.get("/alerts/unsubscribe/not-a-token").status_code == 200
    assert client.post("/alerts/unsubscribe/not-a-token").status_code == 404


def test_only_providers_save_searches_and_names_are_required(app, make):
    with pytest.raises(Forbidden):
        saved_searches.save(db.session, make.enterprise(), "x", {})
    with pytest.raises(ValidationFailed):
        saved_searches.save(db.session, make.provider(), "  ", {})


def test_saving_through_the_page(app, client, auth, make):
    provider = make.provider(email="p@example.cn")
    auth.login("p@example.cn")
    response = client.post(
        "/alerts",
        data={
            "name": "永川结构设计",
            "q": "结构",
            "region": ["yongchuan"],
            "service": ["structural-design"],
        },
    )
    assert response.status_code == 302
    saved = saved_searches.list_for(db.session, provider)
    assert [s.query["region"] for s in saved] == [["yongchuan"]]
    assert "永川结构设计" in client.get("/alerts").get_data(as_text=True)
    assert client.post("/alerts", data={"name": ""}).status_code == 302
    assert len(saved_searches.list_for(db.session, provider)) == 1


def test_mail_failure_raises_for_the_job_to_retry():
    with pytest.raises(mail.MailFailed):
        config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}
        mail.deliver(config, "a@example.cn", "s", "b")
