"""Interest pages: a provider's own interests and invitations; the decisions on an interest;
an interest's own page — the proposal and its history, the conversation, the deal, reviews."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...extensions import db
from ...models import Review, Side
from ...services import conversations, deals, interests, notifications, proposals
from ...services.errors import ValidationFailed
from ...transaction import commit, unit_of_work
from .. import questions
from ..common import actor, commit_and_redirect, show_errors
from ..confirm import ask, confirmed
from ..uploads import private_file, send_message, send_with_files, upload_storage
from .forms import DealForm, MessageForm, ProposalForm, ReportForm, ReviewForm

bp = Blueprint("interests", __name__)


@bp.get("/interests/mine")
@login_required
def mine():
    user = actor()
    own = interests.for_provider(db.session, user)
    answered = {row.interest.demand_id for row in own}
    invitations = interests.invitations_for_provider(db.session, user)
    return render_template(
        "interests/mine.html",
        rows=own,
        invitations=invitations,
        answered=answered,
        unread=conversations.unread_counts(db.session, user, [row.interest for row in own]),
    )


def _decide(interest_id: int, operation, message: str):
    interest = operation(db.session, actor(), interest_id)
    demand_id = interest.demand_id
    return commit_and_redirect(
        message, url_for("demands.detail", demand_id=demand_id, _anchor="interests")
    )


@bp.post("/interests/<int:interest_id>/accept")
@login_required
def accept(interest_id: int):
    if not confirmed():
        interest = interests.for_decision(db.session, actor(), interest_id)
        back = url_for("demands.detail", demand_id=interest.demand_id, _anchor="interests")
        return ask(questions.accept_interest(interest), back)
    return _decide(interest_id, interests.accept, _("已接受该意向，双方现在可以看到对方的联系方式"))


@bp.post("/interests/<int:interest_id>/decline")
@login_required
def decline(interest_id: int):
    return _decide(interest_id, interests.decline, _("已婉拒该意向"))


@bp.post("/interests/<int:interest_id>/withdraw")
@login_required
def withdraw(interest_id: int):
    interests.withdraw(db.session, actor(), interest_id)
    return commit_and_redirect(_("意向已撤回"), url_for(".mine"))


# --- an interest's own page -----------------------------------------------------------------


def _page(interest_id: int, forms: dict | None = None, status: int = 200):
    """The interest's page as the signed-in user may see it (404 for anyone else)."""
    user = actor()
    conversation = conversations.read(db.session, user, interest_id)
    interest = conversation.interest
    notifications.mark_seen(db.session, user, f"/interests/{interest.id}")
    commit()
    reviews = {r.side: r for r in db.session.query(Review).filter_by(interest_id=interest.id)}
    forms = {
        "message": MessageForm(formdata=None),
        "proposal": ProposalForm(
            formdata=None,
            data={
                "message": interest.message,
                "price": interest.price,
                "timeline_days": interest.timeline_days,
            },
        ),
        "deal": DealForm(formdata=None),
        "review": ReviewForm(formdata=None),
        "report": ReportForm(formdata=None),
        **(forms or {}),
    }
    html = render_template(
        "interests/show.html",
        interest=interest,
        demand=conversation.demand,
        conversation=conversation,
        side=conversation.side,
        contact=interests.contact(interest, actor()),
        reviews=reviews,
        own_review=reviews.get(conversation.side),
        public_reviews={r.id for r in reviews.values() if deals.is_public(db.session, r)},
        forms=forms,
        Side=Side,
    )
    return html, status


@bp.get("/interests/<int:interest_id>")
@login_required
def show(interest_id: int):
    return _page(interest_id)


def _back(interest_id: int, anchor: str):
    return redirect(url_for(".show", interest_id=interest_id, _anchor=anchor))


@bp.post("/interests/<int:interest_id>/messages")
@login_required
def send(interest_id: int):
    form = MessageForm()
    if send_message(form, conversations.post, interest_id):
        return _back(interest_id, "conversation")
    return _page(interest_id, {"message": form}, 422)


@bp.post("/interests/<int:interest_id>/proposal")
@login_required
def revise(interest_id: int):
    form = ProposalForm()
    revised = send_with_files(
        form,
        "attachments",
        lambda uploads: proposals.revise(
            db.session, actor(), interest_id, form.body(), uploads, upload_storage()
        ),
    )
    if revised:
        flash(_("方案已更新，需求方会收到通知"), "success")
        return _back(interest_id, "proposal")
    return _page(interest_id, {"proposal": form}, 422)


@bp.post("/interests/<int:interest_id>/deal")
@login_required
def close_deal(interest_id: int):
    form = DealForm()
    if not confirmed():
        interest, _side = conversations.readable(db.session, actor(), interest_id)
        return ask(questions.mark_won(interest.demand), url_for(".show", interest_id=interest_id))
    return _submit(
        interest_id,
        "deal",
        form,
        deals.close,
        _("恭喜！已标记为成交，请双方为这次合作评价"),
        "reviews",
    )


@bp.post("/interests/<int:interest_id>/review")
@login_required
def review(interest_id: int):
    return _submit(
        interest_id,
        "review",
        ReviewForm(),
        deals.write_review,
        _("感谢评价！双方都评价后（或成交 14 天后）评价将公开"),
        "reviews",
    )


@bp.post("/interests/<int:interest_id>/report")
@login_required
def report(interest_id: int):
    return _submit(
        interest_id,
        "report",
        ReportForm(),
        conversations.report,
        _("已提交举报，平台管理员将查看这段对话"),
        "conversation",
    )


def _submit(interest_id: int, name: str, form, operation, done: str, anchor: str):
    """Run ``operation(session, actor, interest_id, body)`` with the form's body and commit;
    on a validation failure the page comes back with the form's errors (422)."""
    try:
        with unit_of_work():
            operation(db.session, actor(), interest_id, form.body())
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _page(interest_id, {name: form}, 422)
    flash(done, "success")
    return _back(interest_id, anchor)


@bp.get("/interests/<int:interest_id>/files/<int:attachment_id>")
@login_required
def attachment(interest_id: int, attachment_id: int):
    item = conversations.attachment(db.session, actor(), interest_id, attachment_id)
    return private_file(item, download=True)


@bp.post("/reviews/<int:review_id>/report")
@login_required
def report_review(review_id: int):
    try:
        with unit_of_work():
            review = deals.report_review(
                db.session, actor(), review_id, {"reason": request.form.get("reason", "").strip()}
            )
            provider_id = review.provider_id
    except ValidationFailed:
        flash(_("请填写举报原因"), "error")
        return redirect(request.referrer or url_for("main.index"))
    flash(_("已提交举报，平台管理员会处理"), "success")
    return redirect(url_for("providers.profile_page", provider_id=provider_id, _anchor="reviews"))


@bp.post("/providers/<int:provider_id>/invite")
@login_required
def invite_from_profile(provider_id: int):
    """An enterprise invites the provider whose profile it reads to one of its open demands."""
    demand_id = request.form.get("demand_id", "")
    if not demand_id.isdigit():
        flash(_("请选择要邀请对方查看的需求"), "error")
        return redirect(url_for("providers.profile_page", provider_id=provider_id))
    invitation = interests.invite(db.session, actor(), int(demand_id), provider_id)
    title = invitation.demand.title
    return commit_and_redirect(
        _("已邀请对方查看需求“%(title)s”", title=title),
        url_for("providers.profile_page", provider_id=provider_id),
    )
