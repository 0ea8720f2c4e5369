"""Cluster common needs: proposed groups, projects, enterprises opting in, providers ranked
for the group, invited, answering and chosen, the outcome, and the project's conversation."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from ..extensions import db
from ..models import User
from ..schemas import RecordId, Strict, validate
from ..search_engine import get_search
from ..services import conversations
from ..services.common_needs import answers, conversation, detection, projects
from ..services.common_needs.answers import AnswerIn, OutcomeIn
from ..services.common_needs.projects import CommonNeedIn, MembershipIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import ID, current_api_user, route

TAG = "common-needs"


class GroupProviderIn(Strict):
    provider_id: RecordId


def _shown(need) -> s.CommonNeedOut:
    return out.common_need(need, current_api_user())


def _need_action(path: str, summary: str, body: type[BaseModel], description: str = ""):
    """The route of an action on one common need: it posts ``body`` and answers with the need
    as it then reads to the caller."""
    return route(
        f"/common-needs/<{ID}:need_id>/{path}",
        "POST",
        summary=summary,
        tag=TAG,
        description=description,
        body=body,
        response=s.CommonNeedOut,
        errors=(400, 401, 403, 404, 409, 413, 422),
    )


def _acted(need_id: int, action: Callable[[User], object]) -> s.CommonNeedOut:
    """Run the caller's action on the need, commit, and answer with the need as it now reads
    to the caller (an action may change what the caller may see)."""
    actor = current_api_user()
    action(actor)
    commit()
    return _shown(projects.read(db.session, actor, need_id))


@route(
    "/common-needs/proposals",
    "GET",
    summary="Groups of alike open demands of different enterprises (admins)",
    tag=TAG,
    query=s.ProposalParams,
    response=s.ProposalList,
    errors=(401, 403, 422),
    description="Per cluster, from the design matcher's meaning and service signals; demands "
    "already in a common need are left out. Most alike first.",
)
def common_need_proposals(params: s.ProposalParams) -> s.ProposalList:
    rows = detection.proposals(db.session, current_api_user(), params.threshold, params.cluster)
    return s.ProposalList(
        threshold=params.threshold,
        items=[
            s.ProposalOut(
                cluster=p.cluster,
                similarity=p.similarity,
                services=list(p.services),
                demands=[out.demand(d) for d in p.demands],
            )
            for p in rows
        ],
    )


@route(
    "/common-needs",
    "POST",
    summary="Turn a group into a common-need project (admins)",
    tag=TAG,
    body=CommonNeedIn,
    response=s.CommonNeedOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    description="Open demands of different enterprises in one cluster; each enterprise is "
    "asked to join and takes part only once it opted in.",
)
def create_common_need(body: dict) -> s.CommonNeedOut:
    need = projects.create(db.session, current_api_user(), body)
    commit()
    return _shown(need)


@route(
    "/common-needs",
    "GET",
    summary="Common needs one may see",
    tag=TAG,
    response=s.CommonNeedList,
    errors=(401,),
    description="Admins all; an enterprise those it was asked to join; a provider those it was "
    "invited to answer.",
)
def common_need_list() -> s.CommonNeedList:
    rows = projects.list_for(db.session, current_api_user())
    return s.CommonNeedList(items=[_shown(n) for n in rows])


@route(
    f"/common-needs/<{ID}:need_id>",
    "GET",
    summary="One common need",
    tag=TAG,
    response=s.CommonNeedOut,
    errors=(401, 404),
)
def common_need_detail(need_id: int) -> s.CommonNeedOut:
    return _shown(projects.read(db.session, current_api_user(), need_id))


@_need_action("membership", "Opt in or decline (an enterprise asked)", MembershipIn)
def common_need_membership(need_id: int, body: dict) -> s.CommonNeedOut:
    return _acted(need_id, lambda actor: projects.respond(db.session, actor, need_id, body))


@route(
    f"/common-needs/<{ID}:need_id>/suggestions",
    "GET",
    summary="Providers ranked by the matcher for the whole group (admins)",
    tag=TAG,
    query=s.LimitParams,
    response=s.CommonNeedMatches,
    errors=(401, 403, 404, 409, 422, 503),
    description="The brief with the joined enterprises' demands as one demand; providers "
    "already invited are left out.",
)
def common_need_suggestions(need_id: int, params: s.LimitParams) -> s.CommonNeedMatches:
    matches = answers.suggested(db.session, get_search(), current_api_user(), need_id, params.limit)
    return s.CommonNeedMatches(need_id=need_id, items=out.match_items(matches))


@_need_action(
    "invitations",
    "Invite a provider (admins)",
    GroupProviderIn,
    "Needs at least one enterprise that joined. The provider learns the brief, "
    "never which enterprises take part.",
)
def invite_to_common_need(need_id: int, body: dict) -> s.CommonNeedOut:
    data = validate(GroupProviderIn, body)
    return _acted(
        need_id, lambda actor: answers.invite(db.session, actor, need_id, data.provider_id)
    )


@_need_action("answer", "Answer an invitation (an invited provider)", AnswerIn)
def answer_common_need(need_id: int, body: dict) -> s.CommonNeedOut:
    return _acted(need_id, lambda actor: answers.answer(db.session, actor, need_id, body))


@_need_action(
    "choice",
    "Choose the provider for the group (admins)",
    GroupProviderIn,
    "Among the invited providers that said they are interested; it then sees "
    "the enterprises that joined, and they are told.",
)
def choose_for_common_need(need_id: int, body: dict) -> s.CommonNeedOut:
    data = validate(GroupProviderIn, body)
    need = answers.choose(db.session, current_api_user(), need_id, data.provider_id)
    commit()
    return _shown(need)


@_need_action(
    "outcome", "Record the outcome: won with its contract value, or closed (admins)", OutcomeIn
)
def common_need_outcome(need_id: int, body: dict) -> s.CommonNeedOut:
    need = answers.record_outcome(db.session, current_api_user(), need_id, body)
    commit()
    return _shown(need)


@route(
    f"/common-needs/<{ID}:need_id>/messages",
    "GET",
    summary="The project's own conversation (participants)",
    tag=TAG,
    response=s.ProjectMessageList,
    errors=(401, 404),
    description="Participants only: administrators, the enterprises that opted in, the invited "
    "providers that have not declined (once a provider is chosen, only that one). Anyone else, "
    "an enterprise that has not opted in included: 404. Until a provider is chosen a provider "
    "reads the enterprises as 参与企业 N, never their names. Reading marks the messages read.",
)
def common_need_messages(need_id: int) -> s.ProjectMessageList:
    user = current_api_user()
    need, _side = conversation.readable(db.session, user, need_id)
    unread = conversation.unread_counts(db.session, user, [need]).get(need.id, 0)
    talk = conversation.read(db.session, user, need_id)
    commit()
    return s.ProjectMessageList(
        need_id=need.id,
        unread=unread,
        items=[out.project_message(m, talk) for m in talk.messages],
    )


@route(
    f"/common-needs/<{ID}:need_id>/messages",
    "POST",
    summary="Write to the project's conversation (participants)",
    tag=TAG,
    body=conversations.MessageIn,
    response=s.ProjectMessageOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Participants only (404 for anyone else). Until a provider is chosen, phone "
    "numbers, e-mail addresses, WeChat ids and QQ numbers in `body` are replaced by `[***]` and "
    "`masked` is true. A closed project → 409. Files are attached on the conversation's page.",
)
def common_need_post_message(need_id: int, body: dict) -> s.ProjectMessageOut:
    user = current_api_user()
    message, _written = conversation.post(db.session, user, need_id, body)
    commit()
    need, side = conversation.readable(db.session, user, need_id)
    talk = conversation.ProjectConversation(
        need, side, [], conversation.knows_enterprises(user, need)
    )
    return out.project_message(message, talk)
