"""Cluster common-need pages: the administrators' proposed groups at a threshold, a project
made of one, enterprises opting in, providers ranked for the group, invited, answering and
chosen, the outcome, and the project's own conversation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from search import SearchUnavailable
from search.grouping import DEFAULT_THRESHOLD

from ...extensions import db
from ...models import CommonNeedStatus
from ...search_engine import get_search
from ...services import notifications
from ...services.access import COMMON_NEED_POLICY
from ...services.common_needs import answers, conversation, detection, projects
from ...services.errors import ServiceError, ValidationFailed
from ...transaction import commit, unit_of_work
from ..common import actor, blank_to_none, show_errors
from ..interests.forms import MessageForm, ReportForm
from ..panels import attempt
from ..uploads import private_file, send_message

bp = Blueprint("common_needs", __name__)


def _back(need_id: int):
    return redirect(url_for(".detail", need_id=need_id))


def _act(need_id: int, action, done: str):
    attempt(action, done)
    return _back(need_id)


@bp.get("/common-needs")
@login_required
def index():
    user = actor()
    rows = projects.list_for(db.session, user)
    unread = conversation.unread_counts(db.session, user, rows)
    return render_template("common_needs/index.html", rows=rows, unread=unread)


@bp.get("/common-needs/proposals")
@login_required
def proposals():
    if not current_user.is_admin:
        abort(403)
    raw = request.args.get("threshold") or str(DEFAULT_THRESHOLD)
    cluster = request.args.get("cluster") or None
    error, rows = None, []
    try:
        rows = detection.proposals(db.session, actor(), raw, cluster)
    except ValidationFailed as exc:
        error = exc.message
    return render_template(
        "common_needs/proposals.html", rows=rows, threshold=raw, cluster=cluster, error=error
    ), (422 if error else 200)


@bp.post("/common-needs")
@login_required
def create():
    body = {
        "demand_ids": [int(i) for i in request.form.getlist("demand_ids") if i.isdigit()],
        "title": (request.form.get("title") or "").strip(),
        "brief": (request.form.get("brief") or "").strip(),
        "threshold": blank_to_none(request.form.get("threshold")),
    }
    try:
        with unit_of_work():
            need = projects.create(db.session, actor(), body)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return redirect(url_for(".proposals", threshold=body["threshold"] or DEFAULT_THRESHOLD))
    flash(_("共性需求已建立，相关企业已收到加入邀请"), "success")
    return _back(need.id)


@bp.get("/common-needs/<int:need_id>")
@login_required
def detail(need_id: int):
    user = actor()
    need = projects.read(db.session, user, need_id)
    context = {
        "need": need,
        "participants": projects.participants(user, need),
        "joined": projects.joined_count(need),
        "administers": COMMON_NEED_POLICY.can(user, "administer", need),
        "membership": next(
            (m for m in need.members if m.organization_id == user.organization_id), None
        ),
        "invitation": next(
            (i for i in need.invitations if user.organization_id == i.provider.organization_id),
            None,
        ),
        "talks": conversation.side_of(user, need) is not None,
        "unread": conversation.unread_counts(db.session, user, [need]).get(need.id, 0),
    }
    if context["administers"] and need.status == CommonNeedStatus.OPEN:
        try:
            context["suggestions"] = answers.suggested(db.session, get_search(), user, need.id)
        except SearchUnavailable:
            context["search_unavailable"] = True
    return render_template("common_needs/detail.html", **context)


@bp.post("/common-needs/<int:need_id>/membership")
@login_required
def membership(need_id: int):
    join = request.form.get("join") == "1"
    return _act(
        need_id,
        lambda: projects.respond(db.session, actor(), need_id, {"join": join}),
        _("已加入共性需求") if join else _("已婉拒"),
    )


@bp.post("/common-needs/<int:need_id>/invitations")
@login_required
def invite(need_id: int):
    provider_id = request.form.get("provider_id", type=int)
    score = request.form.get("score", type=float)
    return _act(
        need_id,
        lambda: answers.invite(db.session, actor(), need_id, provider_id, score),
        _("已邀请服务方"),
    )


@bp.post("/common-needs/<int:need_id>/answer")
@login_required
def answer(need_id: int):
    body = {
        "interested": request.form.get("interested") == "1",
        "note": (request.form.get("note") or "").strip(),
    }
    return _act(need_id, lambda: answers.answer(db.session, actor(), need_id, body), _("已答复"))


@bp.post("/common-needs/<int:need_id>/choice")
@login_required
def choose(need_id: int):
    provider_id = request.form.get("provider_id", type=int)
    return _act(
        need_id,
        lambda: answers.choose(db.session, actor(), need_id, provider_id),
        _("已选定服务方，参与企业和服务方已收到通知"),
    )


@bp.post("/common-needs/<int:need_id>/outcome")
@login_required
def outcome(need_id: int):
    won = request.form.get("won") == "1"
    value = blank_to_none(request.form.get("contract_value"))
    body = {
        "won": won,
        "contract_value": int(value) if value and value.isdigit() else value,
        "note": (request.form.get("note") or "").strip(),
    }
    return _act(
        need_id,
        lambda: answers.record_outcome(db.session, actor(), need_id, body),
        _("已记录结果"),
    )


# --- the project's own conversation ----------------------------------------------------------


def _conversation_page(need_id: int, forms: dict | None = None, status: int = 200):
    """The conversation as the signed-in participant reads it (404 for anyone else)."""
    user = actor()
    talk = conversation.read(db.session, user, need_id)
    notifications.mark_seen(db.session, user, conversation.conversation_link(talk.need))
    commit()
    forms = {
        "message": MessageForm(formdata=None),
        "report": ReportForm(formdata=None),
        **(forms or {}),
    }
    html = render_template("common_needs/conversation.html", talk=talk, need=talk.need, forms=forms)
    return html, status


def _to_conversation(need_id: int):
    return redirect(url_for(".conversation", need_id=need_id, _anchor="conversation"))


@bp.get("/common-needs/<int:need_id>/conversation", endpoint="conversation")
@login_required
def conversation_page(need_id: int):
    return _conversation_page(need_id)


@bp.post("/common-needs/<int:need_id>/messages")
@login_required
def send(need_id: int):
    form = MessageForm()
    if send_message(form, conversation.post, need_id):
        return _to_conversation(need_id)
    return _conversation_page(need_id, {"message": form}, 422)


@bp.post("/common-needs/<int:need_id>/conversation/report")
@login_required
def report(need_id: int):
    form = ReportForm()
    try:
        with unit_of_work():
            conversation.report(db.session, actor(), need_id, form.body())
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _conversation_page(need_id, {"report": form}, 422)
    flash(_("已提交举报，平台管理员将查看这段对话"), "success")
    return _to_conversation(need_id)


@bp.get("/common-needs/<int:need_id>/files/<int:attachment_id>")
@login_required
def attachment(need_id: int, attachment_id: int):
    return private_file(conversation.attachment(db.session, actor(), need_id, attachment_id))
