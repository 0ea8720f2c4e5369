"""A common-need project's own conversation, on the conversation machinery of interests.

Participants: the administrators (who run the project), the enterprises that opted in, and
the providers invited to answer — until one is chosen, every invited provider that has not
declined; from then on only the chosen one. Anyone else, an enterprise that has not opted in
(or left) included, finds no conversation (404).

What stands for "before acceptance" here is "before a provider is chosen": until then
contact details in every message are masked before they are stored, and a provider reads the
enterprises' messages as from 参与企业 1, 2 … (their place in the project's list, never their
name); administrators, the enterprises and, once chosen, the chosen provider read the names —
exactly who ``projects.participants`` shows the enterprises to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ...models import (
    Attachment,
    CommonNeed,
    CommonNeedStatus,
    ConversationReport,
    Message,
    Role,
    Side,
    User,
)
from .. import files
from ..access import member_of, require_confirmed
from ..conversations import Thread, attachment_in, file_report, mark_read, messages_in, store
from ..conversations import unread_in as _unread_in
from ..errors import Conflict, Forbidden, NotFound
from ..notifications import notify, notify_organization
from .projects import JOINED, link

ADMIN = "admin"  # the administrators' side in a project's conversation


def thread(need: CommonNeed) -> Thread:
    return Thread("common_need_id", need.id)


def conversation_link(need: CommonNeed) -> str:
    return f"{link(need)}/conversation"


def _chosen(actor: User | None, need: CommonNeed) -> bool:
    return need.provider is not None and member_of(actor, need.provider.organization_id)


def side_of(actor: User | None, need: CommonNeed) -> str | None:
    """The reader's side in the project's conversation, or None for a non-participant."""
    if actor is None:
        return None
    if actor.role == Role.ADMIN:
        return ADMIN
    if any(m.status == JOINED and member_of(actor, m.organization_id) for m in need.members):
        return Side.ENTERPRISE
    if need.provider is not None:
        return Side.PROVIDER if _chosen(actor, need) else None
    answering = any(
        i.status != "declined" and member_of(actor, i.provider.organization_id)
        for i in need.invitations
    )
    return Side.PROVIDER if answering else None


def knows_enterprises(actor: User | None, need: CommonNeed) -> bool:
    """Who reads the enterprises' names: administrators, the enterprises, the chosen provider."""
    return side_of(actor, need) in (ADMIN, Side.ENTERPRISE) or _chosen(actor, need)


@dataclass
class ProjectConversation:
    """A project's conversation as one participant reads it."""

    need: CommonNeed
    side: str
    messages: list[Message]
    names_enterprises: bool  # False: enterprises are 参与企业 N to this reader

    @property
    def writable(self) -> bool:
        return self.need.status != CommonNeedStatus.CLOSED

    @property
    def masks_contacts(self) -> bool:
        return self.need.provider_id is None

    def author(self, message: Message) -> str:
        """The writer as this reader may know it."""
        if message.side == ADMIN:
            return _("平台管理员")
        if message.side == Side.ENTERPRISE and not self.names_enterprises:
            return enterprise_alias(self.need, message.organization_id)
        return message.organization.name if message.organization else _("已注销的单位")


def enterprise_alias(need: CommonNeed, organization_id: int | None) -> str:
    """参与企业 N: the enterprise's place among those asked, stable whoever joins later."""
    asked = [m.organization_id for m in sorted(need.members, key=lambda m: m.id)]
    if organization_id not in asked:
        return _("参与企业")
    return _("参与企业 %(n)s", n=asked.index(organization_id) + 1)


def readable(session: Session, actor: User | None, need_id: int) -> tuple[CommonNeed, str]:
    """The project and the reader's side; NotFound for anyone who does not take part."""
    need = session.get(CommonNeed, need_id)
    side = side_of(actor, need) if need is not None else None
    if side is None:
        raise NotFound(_("对话不存在"))
    return need, side


def read(session: Session, actor: User, need_id: int) -> ProjectConversation:
    """Open the conversation: the reader has read up to its last message."""
    need, side = readable(session, actor, need_id)
    items = messages_in(session, thread(need))
    mark_read(session, actor, thread(need), items[-1].id if items else 0)
    return ProjectConversation(need, side, items, knows_enterprises(actor, need))


def post(
    session: Session,
    actor: User,
    need_id: int,
    body: Any,
    uploads: Iterable[files.Upload] = (),
    storage: files.Storage | None = None,
) -> tuple[Message, list[str]]:
    """Write to the project (masked until a provider is chosen); every other participant is
    told in the app. Returns the message and its files' stored names, as ``conversations``."""
    need, side = readable(session, actor, need_id)
    if side != ADMIN:
        require_confirmed(actor)
    if need.status == CommonNeedStatus.CLOSED:
        raise Conflict(_("该共性需求已结束，对话不能继续"))
    organization_id = None if side == ADMIN else actor.organization_id
    message, written = store(
        session,
        actor,
        thread(need),
        side,
        body,
        mask=need.provider_id is None,
        uploads=uploads,
        storage=storage,
        organization_id=organization_id,
    )
    _notify_others(session, need, side, organization_id)
    return message, written


def _notify_others(session: Session, need: CommonNeed, side: str, writer: int | None) -> None:
    where, params = conversation_link(need), {"title": need.title, "common_need_id": need.id}
    organizations = [m.organization for m in need.members if m.status == JOINED]
    if need.provider is not None:
        organizations.append(need.provider.organization)
    else:
        organizations += [
            i.provider.organization for i in need.invitations if i.status != "declined"
        ]
    for organization in organizations:
        if organization.id != writer:
            notify_organization(session, organization, "common_need_message", where, **params)
    runner = session.get(User, need.created_by_id) if need.created_by_id else None
    if side != ADMIN and runner is not None and runner.active:
        notify(session, [runner], "common_need_message", where, **params)


def unread_counts(session: Session, user: User, needs: Iterable[CommonNeed]) -> dict[int, int]:
    """Messages of other participants ``user`` has not opened, per project it takes part in."""
    mine = [n.id for n in needs if side_of(user, n) is not None]
    if user.role == Role.ADMIN:
        return _unread_in(session, user, "common_need_id", mine, lambda _i, side, _o: side == ADMIN)
    return _unread_in(
        session,
        user,
        "common_need_id",
        mine,
        lambda _i, _side, organization_id: organization_id == user.organization_id,
    )


def report(session: Session, actor: User, need_id: int, body: Any) -> ConversationReport:
    """An enterprise or provider asks the administrators to look at the conversation."""
    need, side = readable(session, actor, need_id)
    if side == ADMIN:
        raise Forbidden(_("只有对话双方可以举报"))
    return file_report(session, actor, thread(need), side, body)


def attachment(session: Session, actor: User, need_id: int, attachment_id: int) -> Attachment:
    need, _side = readable(session, actor, need_id)
    return attachment_in(session, thread(need), attachment_id)
