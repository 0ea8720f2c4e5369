"""The signed-in user's notifications."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...extensions import db
from ...services import notifications as notification_service
from ..common import commit_and_redirect
from ..links import is_local_path
from .texts import notification_text

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def notification_link(notification) -> str | None:
    """Stored links are site paths; anything else is not rendered as a link."""
    return notification.link if is_local_path(notification.link) else None


@bp.get("/notifications")
@login_required
def index():
    items = notification_service.recent(db.session, current_user, limit=100)
    return render_template("notifications/index.html", items=items, text=notification_text)


@bp.post("/notifications/read-all")
@login_required
def read_all():
    notification_service.mark_all_read(db.session, current_user)
    return commit_and_redirect(_("已全部标为已读"), url_for("notifications.index"))
