"""E-mail digests of unread messages: one mail per person, for what waited unread too long.

A message is first a notification in the app. If it is still unread after ``WAIT`` (the
reader was not on the platform), the hourly job mails each recipient one digest: per
conversation the demand's title, how many messages wait, and the link. A message is mailed
once (``ConversationRead.mailed_up_to``); opening the conversation also counts as mailed.
The digest names the demand only, never the enterprise, so it is safe for providers.
Conversations of common-need projects are not mailed: their participants are told in the app.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ConversationRead, Interest, Message, Side, User, utcnow
from . import mail

WAIT = dt.timedelta(minutes=30)
LOOK_BACK = dt.timedelta(days=14)  # older unread messages are not mailed any more


def _recipients(interest: Interest, author_side: str) -> list[User]:
    side = interest.demand if author_side == Side.PROVIDER else interest.provider
    return [u for u in side.organization.users if u.active]


def send(session: Session, base_url: str, now: dt.datetime | None = None) -> int:
    """Queue the digests that are due; returns how many people get one."""
    now = now or utcnow()
    messages = session.scalars(
        select(Message)
        .where(
            Message.interest_id.is_not(None),  # a project's participants are told in the app
            Message.created_at <= now - WAIT,
            Message.created_at > now - LOOK_BACK,
        )
        .order_by(Message.id)
    )
    marks = {
        (row.interest_id, row.user_id): row
        for row in session.scalars(
            select(ConversationRead).where(ConversationRead.interest_id.is_not(None))
        )
    }
    due: dict[int, dict[int, list[Message]]] = defaultdict(lambda: defaultdict(list))
    users: dict[int, User] = {}
    for message in messages:
        for user in _recipients(message.interest, message.side):
            mark = marks.get((message.interest_id, user.id))
            if mark is None or message.id > max(mark.last_read_id, mark.mailed_up_to):
                due[user.id][message.interest_id].append(message)
                users[user.id] = user
    for user_id, conversations in due.items():
        user = users[user_id]
        lines = [
            _(
                "· 需求“%(title)s”：%(n)s 条未读消息\n  %(link)s",
                title=items[0].interest.demand.title,
                n=len(items),
                link=f"{base_url}/interests/{interest_id}#conversation",
            )
            for interest_id, items in conversations.items()
        ]
        count = sum(len(items) for items in conversations.values())
        mail.queue(
            session,
            user.email,
            _("【工业设计供需对接平台】您有 %(n)s 条未读消息", n=count),
            _("%(name)s，您好：\n\n以下对话有您尚未阅读的消息：\n\n", name=user.name or user.email)
            + "\n".join(lines)
            + "\n",
        )
        for interest_id, items in conversations.items():
            mark = marks.get((interest_id, user_id))
            if mark is None:
                mark = ConversationRead(interest_id=interest_id, user_id=user_id, last_read_id=0)
                session.add(mark)
                marks[(interest_id, user_id)] = mark
            mark.mailed_up_to = max(mark.mailed_up_to or 0, items[-1].id)
    return len(due)
