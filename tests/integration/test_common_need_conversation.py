"""A common-need project's own conversation: who takes part (opted-in enterprises, invited
providers until one is chosen, then only that one, administrators), enterprises hidden from
providers and contact details masked until a provider is chosen, unread counts per
participant, files on the writer's quota, notifications, reports and a closed project."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import ConversationReport, Message, Notification
from matchmaker.services import conversations, files
from matchmaker.services.common_needs import answers, conversation, projects
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(make):
    admin = make.admin()
    owners = [make.enterprise(name=f"头盔厂{n}") for n in range(3)]
    helmets = [
        make.demand(owner, title=f"头盔外观设计{n}", cluster="motorcycle",
                    services=["appearance-design"])
        for n, owner in enumerate(owners)
    ]  # fmt: skip
    chosen = make.provider(name="造型设计公司", clusters=["motorcycle"])
    rival = make.provider(name="另一家设计公司", clusters=["motorcycle"])
    refuser = make.provider(name="婉拒的设计公司", clusters=["motorcycle"])
    need = make.common_need(admin, helmets, joined=owners[:2], invited=[chosen, rival, refuser])
    answers.answer(db.session, refuser, need.id, {"interested": False})
    commit()
    return {"admin": admin, "owners": owners, "need": need, "chosen": chosen, "rival": rival,
            "refuser": refuser, "make": make}  # fmt: skip


def _choose(cast) -> None:
    need, chosen = cast["need"], cast["chosen"]
    answers.answer(db.session, chosen, need.id, {"interested": True})
    answers.choose(db.session, cast["admin"], need.id, chosen.organization.provider.id)
    commit()


def _say(user, need, text: str, **extra) -> Message:
    message, _written = conversation.post(db.session, user, need.id, {"body": text, **extra})
    commit()
    return message


def test_only_participants_read_and_write(cast):
    need, (first, second, asked) = cast["need"], cast["owners"]
    for reader in (cast["admin"], first, second, cast["chosen"], cast["rival"]):
        assert conversation.read(db.session, reader, need.id).need.id == need.id
    stranger = cast["make"].provider(name="未受邀的设计公司")
    outsider = cast["make"].enterprise(name="无关企业")
    # an enterprise asked but not opted in sees the project, never its conversation
    assert projects.read(db.session, asked, need.id).id == need.id
    for reader in (asked, cast["refuser"], stranger, outsider):
        with pytest.raises(NotFound):
            conversation.read(db.session, reader, need.id)
        with pytest.raises(NotFound):
            conversation.post(db.session, reader, need.id, {"body": "你好"})
    # an enterprise that leaves the project leaves its conversation too
    projects.respond(db.session, second, need.id, {"join": False})
    commit()
    with pytest.raises(NotFound):
        conversation.read(db.session, second, need.id)
    # once a provider is chosen the others are out
    _choose(cast)
    assert conversation.read(db.session, cast["chosen"], need.id).side == "provider"
    with pytest.raises(NotFound):
        conversation.read(db.session, cast["rival"], need.id)
    assert db.session.scalar(select(Message.id)) is None  # nothing was written on the way


def test_providers_never_learn_the_enterprises_before_one_is_chosen(cast):
    need, first = cast["need"], cast["owners"][0]
    _say(first, need, "我们是头盔厂0，电话 13812345678，微信 helmet_factory0")
    _say(cast["rival"], need, "可以加我 QQ 12345678 详谈", price=300000, timeline_days=45)
    _say(cast["admin"], need, "请各家先在平台内交流")
    for reader in (cast["chosen"], cast["rival"]):
        talk = conversation.read(db.session, reader, need.id)
        authors = [talk.author(m) for m in talk.messages]
        assert authors == ["参与企业 1", "另一家设计公司", "平台管理员"]
        assert not any("头盔厂" in a for a in authors)
    stored = db.session.scalars(select(Message).order_by(Message.id)).all()
    assert "13812345678" not in stored[0].body and "helmet_factory0" not in stored[0].body
    assert "12345678" not in stored[1].body and all(m.masked for m in stored[:2])
    assert stored[1].price == 300000  # an offer to the whole group
    # enterprises and administrators read the names
    assert conversation.read(db.session, cast["owners"][1], need.id).author(stored[0]) == "头盔厂0"
    # the providers' notices name the project, never an enterprise
    for note in db.session.scalars(
        select(Notification).where(Notification.kind == "common_need_message")
    ):
        assert "头盔厂" not in str(note.params)

    _choose(cast)
    talk = conversation.read(db.session, cast["chosen"], need.id)
    assert talk.author(stored[0]) == "头盔厂0" and not talk.masks_contacts
    after = _say(first, need, "联系电话 13812345678")
    assert "13812345678" in after.body and not after.masked


def test_unread_counts_per_participant(cast):
    need, (first, second, _asked) = cast["need"], cast["owners"]
    admin, chosen = cast["admin"], cast["chosen"]

    def unread(user) -> int:
        return conversation.unread_counts(db.session, user, [need]).get(need.id, 0)

    _say(first, need, "第一条")
    _say(first, need, "第二条")
    assert [unread(u) for u in (first, second, chosen, admin)] == [0, 2, 2, 2]
    assert conversation.unread_counts(db.session, cast["owners"][2], [need]) == {}  # not in it
    conversation.read(db.session, chosen, need.id)
    commit()
    _say(admin, need, "管理员回复")  # writing reads the conversation up to one's own message
    assert [unread(u) for u in (first, second, chosen, admin)] == [1, 3, 1, 0]
    _say(second, need, "收到")
    assert [unread(u) for u in (first, second, chosen, admin)] == [2, 0, 2, 1]
    conversation.read(db.session, admin, need.id)
    commit()
    assert unread(admin) == 0
    # an interest's unread counts are untouched by projects
    assert conversations.unread_counts(db.session, first, []) == {}


def test_files_reach_participants_only_and_count_against_the_writer(cast, app, tmp_path):
    need, first = cast["need"], cast["owners"][0]
    storage = files.Storage(str(tmp_path), 1024)
    upload = files.Upload("方案.pdf", "pdf", PDF)
    message, written = conversation.post(
        db.session, first, need.id, {"body": "附件是草图"}, [upload], storage
    )
    commit()
    attachment = message.attachments[0]
    assert (tmp_path / written[0]).read_bytes() == PDF
    assert files.stored_bytes(db.session, first.organization_id) == len(PDF)
    got = conversation.attachment(db.session, cast["rival"], need.id, attachment.id)
    assert got.id == attachment.id
    with pytest.raises(NotFound):
        conversation.attachment(db.session, cast["owners"][2], need.id, attachment.id)
    with pytest.raises(NotFound):  # not a file of this conversation
        conversations.attachment_in(db.session, conversations.Thread("interest_id", 1), 999)
    # the organisation's quota holds in projects too
    big = files.Upload("大文件.pdf", "pdf", PDF + b"0" * 1024)
    with pytest.raises(ValidationFailed) as caught:
        conversation.post(db.session, first, need.id, {"body": "再来一个"}, [big], storage)
    assert "attachments" in caught.value.fields
    db.session.rollback()
    # an administrator's files count against no organisation
    conversation.post(db.session, cast["admin"], need.id, {"body": "说明"}, [big], storage)
    commit()
    assert files.stored_bytes(db.session, first.organization_id) == len(PDF)


def test_reports_and_a_closed_project(cast):
    need, first = cast["need"], cast["owners"][0]
    with pytest.raises(ValidationFailed):
        conversation.post(db.session, first, need.id, {"body": ""})
    conversation.report(db.session, first, need.id, {"reason": "有人要求线下付款"})
    commit()
    report = db.session.scalar(select(ConversationReport))
    assert report.common_need_id == need.id and report.interest_id is None
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == cast["admin"].id, Notification.kind == "conversation_reported"
        )
    )
    assert conversations.open_reports(db.session, cast["admin"]) == [report]
    with pytest.raises(Forbidden):  # administrators run the project, they do not report it
        conversation.report(db.session, cast["admin"], need.id, {"reason": "x"})
    conversations.close_report(db.session, cast["admin"], report.id)
    answers.record_outcome(db.session, cast["admin"], need.id, {"won": False, "note": "预算未落实"})
    commit()
    talk = conversation.read(db.session, first, need.id)
    assert not talk.writable
    with pytest.raises(Conflict):
        conversation.post(db.session, first, need.id, {"body": "还在吗"})
