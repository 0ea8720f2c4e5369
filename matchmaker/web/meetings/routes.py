"""Matchmaking meetings (对接会): administrators plan and run them, invitees answer.

``/admin/meetings…`` needs an administrator (checked here and again in the service);
``/meetings/invitations`` is for users of invited organisations.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from search import SearchUnavailable

from ...china_time import to_local
from ...extensions import db
from ...models import MeetingStatus, Role, Rsvp
from ...search_engine import get_search
from ...services import meeting_calendar, meeting_papers, meeting_slots
from ...services import meetings as meeting_service
from ...services.errors import Conflict, ServiceError, ValidationFailed
from ...transaction import commit, unit_of_work
from .. import questions
from ..common import actor, show_errors
from ..confirm import ask, confirmed
from ..decorators import admin_required
from ..downloads import attachment
from .forms import (
    ALIASES,
    MeetingForm,
    OutcomeForm,
    PairForm,
    outcome_labels,
    to_int,
)

bp = Blueprint("meetings", __name__)


@bp.app_context_processor
def meeting_labels() -> dict:
    return {
        "meeting_status_labels": MeetingStatus.labels,
        "rsvp_labels": Rsvp.labels,
        "outcome_labels": outcome_labels,
    }


def _to_detail(meeting_id: int, anchor: str | None = None, open_demand: int | None = None):
    return redirect(url_for(".detail", meeting_id=meeting_id, open=open_demand, _anchor=anchor))


# --- administrators ----------------------------------------------------------------------------


@bp.route("/admin/meetings", methods=["GET", "POST"])
@admin_required
def index():
    form = MeetingForm()
    form.set_choices()
    status = 200
    if request.method == "POST":
        try:
            with unit_of_work():
                meeting = meeting_service.create_meeting(db.session, actor(), form.body())
        except ValidationFailed as exc:
            show_errors(form, exc, ALIASES)
            status = 422
        else:
            flash(
                _("已创建对接会：%(title)s。下一步：生成配对名单。", title=meeting.title), "success"
            )
            return _to_detail(meeting.id)
    rows = meeting_service.list_meetings(db.session, actor())
    return render_template("meetings/index.html", form=form, rows=rows), status


def _render_detail(
    meeting_id: int,
    pair_form: PairForm | None = None,
    outcome_forms: dict[int, OutcomeForm] | None = None,
    status: int = 200,
):
    view = meeting_service.overview(db.session, actor(), meeting_id)
    demands, providers = meeting_service.pair_choices(db.session, actor(), meeting_id)
    if pair_form is None:
        pair_form = PairForm(formdata=None)
    pair_form.demand_id.choices = [("", _("请选择"))] + [
        (str(d.id), f"{d.title}（{d.organization.name}）") for d in demands
    ]
    pair_form.provider_id.choices = [("", _("请选择"))] + [(str(p.id), p.name) for p in providers]
    forms = dict(outcome_forms or {})
    for _demand, pairs in view.by_demand:
        for pair in pairs:
            if pair.id not in forms:
                forms[pair.id] = OutcomeForm(
                    prefix=f"p{pair.id}",
                    formdata=None,
                    outcome=pair.outcome or "",
                    contract_value=pair.contract_value if pair.contract_value is not None else "",
                    notes=pair.notes or "",
                )
            forms[pair.id].set_choices()
    open_demand = request.args.get("open", type=int)
    if outcome_forms:  # show the pair whose form has errors
        open_demand = next(
            (p.demand_id for _d, pairs in view.by_demand for p in pairs if p.id in outcome_forms),
            None,
        )
    return render_template(
        "meetings/detail.html",
        view=view,
        m=view.meeting,
        pair_form=pair_form,
        outcome_forms=forms,
        can_add=bool(demands),
        open_demand=open_demand,
        **_slot_context(view.meeting),
    ), status


def _slot_context(meeting) -> dict:
    """A diagnostic meeting's page also suggests experts for its slots."""
    if meeting.kind != meeting_service.KIND_DIAGNOSIS:
        return {}
    try:
        suggestions = meeting_slots.suggested_experts(db.session, get_search(), actor(), meeting.id)
    except SearchUnavailable:
        suggestions = []
    starts = to_local(meeting.starts_at)
    return {"expert_suggestions": suggestions, "slot_default": starts.strftime("%Y-%m-%dT%H:%M")}


@bp.get("/admin/meetings/<int:meeting_id>")
@admin_required
def detail(meeting_id: int):
    return _render_detail(meeting_id)


@bp.route("/admin/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(meeting_id: int):
    meeting = meeting_service.get_meeting(db.session, actor(), meeting_id)
    if request.method == "GET":
        values = MeetingForm.data_of(meeting_service.meeting_input(meeting))
        form = MeetingForm(formdata=None, data=values)
        form.set_choices()
        return render_template("meetings/edit.html", form=form, m=meeting)
    form = MeetingForm()
    form.set_choices()
    try:
        with unit_of_work():
            meeting_service.update_meeting(db.session, actor(), meeting_id, form.body())
    except ValidationFailed as exc:
        show_errors(form, exc, ALIASES)
        return render_template("meetings/edit.html", form=form, m=meeting), 422
    flash(_("已保存对接会信息；时间或地点的变更已通知受邀单位"), "success")
    return _to_detail(meeting_id)


@bp.post("/admin/meetings/<int:meeting_id>/cancel")
@admin_required
def cancel(meeting_id: int):
    meeting = meeting_service.get_meeting(db.session, actor(), meeting_id)
    if not confirmed():
        back = url_for(".detail", meeting_id=meeting_id)
        return ask(questions.cancel_meeting(meeting), back)
    meeting_service.cancel_meeting(db.session, actor(), meeting_id)
    commit()
    flash(_("对接会已取消，已通知 %(n)s 家受邀单位", n=len(meeting.invitees)), "success")
    return _to_detail(meeting_id)


@bp.get(
    "/admin/meetings/<int:meeting_id>/<any(pairs, 'sign-in', agenda):paper>.<any(xlsx, pdf):fmt>"
)
@admin_required
def paper(meeting_id: int, paper: str, fmt: str):
    meeting = meeting_service.get_meeting(db.session, actor(), meeting_id)
    table = meeting_papers.table(meeting, paper, outcome_labels(), Rsvp.labels())
    if fmt == "xlsx":
        data = meeting_papers.xlsx(table)
    else:
        data = meeting_papers.pdf(meeting, table, current_app.config, str(get_locale() or "zh"))
    return attachment(data, fmt, f"{meeting.title}-{table.title}", f"meeting-{meeting.id}-{paper}")


@bp.get("/meetings/<int:meeting_id>.ics")
@login_required
def calendar(meeting_id: int):
    meeting, data = meeting_service.calendar_for(db.session, actor(), meeting_id, _base_url())
    response = Response(data, mimetype=meeting_calendar.MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{meeting_calendar.filename(meeting)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _base_url() -> str:
    return request.host_url.rstrip("/")


@bp.post("/admin/meetings/<int:meeting_id>/propose")
@admin_required
def propose(meeting_id: int):
    try:
        with unit_of_work():
            per_demand = (
                request.form.get("per_demand", type=int) or meeting_service.DEFAULT_PER_DEMAND
            )
            added = meeting_service.propose(
                db.session,
                get_search(),
                actor(),
                meeting_id,
                per_demand=min(max(per_demand, 1), 10),
            )
    except SearchUnavailable:
        flash(_("匹配服务暂时不可用，请稍后再试"), "error")
    else:
        flash(_("已生成配对名单，新增 %(n)s 对", n=added), "success")
    return _to_detail(meeting_id, "pairs")


@bp.post("/admin/meetings/<int:meeting_id>/pairs")
@admin_required
def add_pair(meeting_id: int):
    form = PairForm()
    try:
        with unit_of_work():
            pair = meeting_service.add_pair(
                db.session,
                actor(),
                meeting_id,
                to_int(form.demand_id.data),
                to_int(form.provider_id.data),
            )
    except ServiceError as exc:
        if not exc.fields:
            raise
        show_errors(form, exc)
        return _render_detail(meeting_id, pair_form=form, status=422)
    flash(_("已添加配对"), "success")
    return _to_detail(meeting_id, f"pair-{pair.id}", pair.demand_id)


def _set_included(meeting_id: int, pair_id: int, included: bool):
    pair = meeting_service.set_included(db.session, actor(), meeting_id, pair_id, included)
    commit()
    return _to_detail(meeting_id, f"pair-{pair_id}", pair.demand_id)


@bp.post("/admin/meetings/<int:meeting_id>/pairs/<int:pair_id>/include")
@admin_required
def include(meeting_id: int, pair_id: int):
    return _set_included(meeting_id, pair_id, True)


@bp.post("/admin/meetings/<int:meeting_id>/pairs/<int:pair_id>/exclude")
@admin_required
def exclude(meeting_id: int, pair_id: int):
    return _set_included(meeting_id, pair_id, False)


@bp.post("/admin/meetings/<int:meeting_id>/invitations")
@admin_required
def send_invitations(meeting_id: int):
    if not confirmed():
        meeting = meeting_service.get_meeting(db.session, actor(), meeting_id)
        count = len(meeting_service.uninvited(db.session, actor(), meeting_id))
        back = url_for(".detail", meeting_id=meeting_id)
        return ask(questions.send_invitations(meeting, count), back)
    try:
        with unit_of_work():
            count = meeting_service.send_invitations(db.session, actor(), meeting_id)
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
    else:
        if count:
            flash(_("已向 %(n)s 家单位发送邀请", n=count), "success")
        else:
            flash(_("名单中的单位都已邀请过"), "success")
    return _to_detail(meeting_id, "invitees")


@bp.post("/admin/meetings/<int:meeting_id>/pairs/<int:pair_id>/outcome")
@admin_required
def outcome(meeting_id: int, pair_id: int):
    form = OutcomeForm(prefix=f"p{pair_id}")
    try:
        with unit_of_work():
            pair = meeting_service.record_outcome(
                db.session,
                actor(),
                meeting_id,
                pair_id,
                form.outcome.data or None,
                to_int(form.contract_value.data),
                form.notes.data,
            )
    except ServiceError as exc:
        if not exc.fields:
            raise
        show_errors(form, exc)
        return _render_detail(meeting_id, outcome_forms={pair_id: form}, status=422)
    flash(_("已记录对接结果"), "success")
    return _to_detail(meeting_id, f"pair-{pair_id}", pair.demand_id)


# --- invitees ----------------------------------------------------------------------------------


@bp.get("/meetings/invitations")
@login_required
def invitations():
    if current_user.role not in (Role.ENTERPRISE, Role.PROVIDER):
        abort(403)
    items = meeting_service.invitations_for(db.session, actor())
    return render_template("meetings/invitations.html", items=items)


@bp.post("/meetings/<int:meeting_id>/rsvp")
@login_required
def rsvp(meeting_id: int):
    if current_user.role not in (Role.ENTERPRISE, Role.PROVIDER):
        abort(403)
    try:
        with unit_of_work():
            invitee = meeting_service.rsvp(
                db.session, actor(), meeting_id, request.form.get("answer")
            )
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
    else:
        flash(_("已回复：%(answer)s", answer=Rsvp(invitee.rsvp).label), "success")
    return redirect(url_for(".invitations", _anchor=f"meeting-{meeting_id}"))
