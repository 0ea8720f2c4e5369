"""An invited provider answers the invitation in a conversation: its reply — a question will
do, price and timeline may follow in a revised proposal — opens the interest, and both sides
go on talking there. An invitation nobody answered has no conversation yet."""

from __future__ import annotations

from matchmaker.extensions import db
from matchmaker.models import Interest, Message, Notification
from matchmaker.services import interests
from tests.web.pages import login, page


def test_the_reply_to_an_invitation_opens_the_conversation(client, auth, make):
    owner = make.enterprise(name="重庆永川骑士装备有限公司")
    invited, other = make.provider(), make.provider()
    demand = make.demand(owner, title="骑行头盔外观设计")
    interests.invite(db.session, owner, demand.id, invited.organization.provider.id)
    db.session.commit()

    login(auth, other)
    assert "表达合作意向" in page(client.get(f"/demands/{demand.id}"))
    auth.logout()

    login(auth, invited)
    html = page(client.get(f"/demands/{demand.id}"))
    assert "回复邀请" in html and "回复并开始沟通" in html
    response = client.post(
        f"/demands/{demand.id}/interest", data={"message": "请问头盔需要兼容哪些认证标准？"}
    )
    interest = db.session.query(Interest).one()
    assert interest.invited and interest.price is None and interest.timeline_days is None
    (opening,) = db.session.query(Message).all()  # the reply is the conversation's first message
    assert opening.interest_id == interest.id and opening.side == "provider"
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=owner.id)]
    assert kinds.count("interest_received") == 1 and "message_received" not in kinds
    assert response.status_code == 302
    assert response.headers["Location"] == f"/interests/{interest.id}#conversation"
    auth.logout()

    login(auth, other)  # an uninvited provider's interest opens no message
    client.post(f"/demands/{demand.id}/interest", data={"message": "我们也想参与"})
    assert db.session.query(Message).count() == 1
    auth.logout()

    login(auth, owner)
    html = page(client.get(f"/interests/{interest.id}"))
    assert "请问头盔需要兼容哪些认证标准？" in html
    answer = client.post(f"/interests/{interest.id}/messages", data={"body": "需满足 GB 811"})
    assert answer.status_code == 302
    auth.logout()

    login(auth, invited)
    assert "需满足 GB 811" in page(client.get(f"/interests/{interest.id}"))
