"""Uploads at the same moment never store more than their organisation's quota together.

Over HTTP, each round gives an enterprise room for two files and sends six uploads at once
through separate browsers: three new demands with an attachment and three messages with one.
Before the reservation five of the six were stored on SQLite (messages did not count at all);
counting them without the lock still stored all six on PostgreSQL. The second test makes the
interleaving certain: one upload's transaction is held open after it reserved its space, and
another, in a session of its own, must wait for it and then count it.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.extensions import db
from matchmaker.models import Attachment, Demand, Message, User
from matchmaker.services import files
from matchmaker.services.errors import ValidationFailed
from tests.conftest import at_once
from tests.web.pages import stored_files
from tests.web.test_demands import PDF
from tests.web.test_demands import VALID as DEMAND_FORM

from .conftest import statuses
from .test_demand_lifecycle import signed_in

ROOM = 2  # files that fit
UPLOADS = 6
ROUNDS = 3


@pytest.fixture
def app_config(app_config):
    return {**app_config, "UPLOAD_QUOTA_BYTES": ROOM * len(PDF) + len(PDF) // 2}


def attachment(name: str) -> dict:
    return {"attachments": (name, PDF, "application/pdf")}


def new_demand(browser, title: str):
    form = {**DEMAND_FORM, "title": title, "action": "draft"}
    return browser.post("/demands/new", data=form, files=attachment(f"{title}.pdf"))


def message(browser, interest_id: int, body: str):
    path = f"/interests/{interest_id}/messages"
    return browser.post(path, data={"body": body}, files=attachment(f"{body}.pdf"))


def test_simultaneous_uploads_never_pass_the_quota_together(live, make, app):
    quota = app.config["UPLOAD_QUOTA_BYTES"]
    for round_ in range(ROUNDS):
        owner = make.enterprise()
        interest_id = make.interest(make.provider(), make.demand(owner)).id
        browsers = [signed_in(live, owner) for _ in range(UPLOADS)]

        calls = [lambda b=b, n=n: new_demand(b, f"并发上传{n}") for n, b in enumerate(browsers[:3])]
        calls += [
            lambda b=b, n=n, i=interest_id: message(b, i, f"附件{n}")
            for n, b in enumerate(browsers[3:])
        ]
        responses = at_once(calls)

        assert sorted(statuses(responses), key=str) == [302] * ROOM + [422] * (UPLOADS - ROOM)
        db.session.expire_all()
        organization = owner.organization_id
        assert files.stored_bytes(db.session, organization) == ROOM * len(PDF) <= quota
        # A refused upload left nothing: no demand, no message, no row, no file.
        demands = select(func.count(Demand.id)).where(Demand.organization_id == organization)
        messages = select(func.count(Message.id)).where(Message.interest_id == interest_id)
        assert db.session.scalar(demands) + db.session.scalar(messages) == 1 + ROOM
        assert db.session.scalar(select(func.count(Attachment.id))) == ROOM * (round_ + 1)
        assert len(stored_files(app)) == ROOM * (round_ + 1)


def _attach_one(session: Session, user_id: int, demand_id: int, storage: files.Storage):
    user, demand = session.get(User, user_id), session.get(Demand, demand_id)
    upload = files.Upload("说明.pdf", "pdf", PDF)
    return files.attach_to_demand(session, user, demand, [upload], storage)


def test_an_upload_waits_for_one_in_progress_and_counts_it(app, make):
    """The first upload has reserved its space (rows flushed, total read) but not committed;
    a second, with room for one file only, waits for it and is then refused."""
    owner = make.enterprise()
    first_demand, second_demand = make.demand(owner).id, make.demand(owner).id
    storage = files.Storage(app.config["UPLOAD_FOLDER"], len(PDF) + len(PDF) // 2)
    outcome: list = []

    def second() -> None:
        with app.app_context(), Session(db.engine) as session:
            try:
                _attach_one(session, owner.id, second_demand, storage)
                session.commit()
                outcome.append("stored")
            except ValidationFailed as exc:
                session.rollback()
                outcome.append(exc.fields)

    with Session(db.engine) as first:
        _attach_one(first, owner.id, first_demand, storage)
        waiting = threading.Thread(target=second)
        waiting.start()
        waiting.join(1.0)
        assert waiting.is_alive() and outcome == []  # it waits for the first to end
        first.commit()
    waiting.join(60)

    assert len(outcome) == 1 and "attachments" in outcome[0], outcome
    db.session.expire_all()
    assert files.stored_bytes(db.session, owner.organization_id) == len(PDF)
    assert db.session.scalar(select(func.count(Attachment.id))) == 1
