"""Server-rendered pages: one blueprint per feature, shared page plumbing here."""

from __future__ import annotations

import re
from itertools import chain

from flask import Flask, g, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from ..extensions import db, login_manager
from ..http_errors import error_response
from ..labels import STATUS_LABELS
from ..models import DemandStatus, User
from ..reasons import reason_label
from ..schemas import unsafe_characters_message
from ..services import contact_details, figures, login_sessions
from ..services import notifications as notification_service
from ..taxonomy import get_taxonomy
from ..validators import has_unsafe_characters
from . import (
    accreditation,
    admin,
    alerts,
    archive,
    auth,
    common_needs,
    demands,
    diagnosis,
    directory,
    experts,
    guides,
    imports,
    interests,
    main,
    meetings,
    notifications,
    providers,
    questions,
    rubrics,
    showcase,
    statistics,
    talent,
)
from .common import label, locale, money
from .uploads import allow_uploads

BLUEPRINTS = (
    main.bp,
    auth.bp,
    demands.bp,
    providers.bp,
    interests.bp,
    notifications.bp,
    admin.bp,
    alerts.bp,
    meetings.bp,
    statistics.bp,
    guides.bp,
    archive.bp,
    imports.bp,
    talent.bp,
    experts.bp,
    diagnosis.bp,
    accreditation.bp,
    rubrics.bp,
    showcase.bp,
    common_needs.bp,
    directory.bp,
)


@login_manager.user_loader
def load_user(key: str) -> User | None:
    """The session and remember-me cookies name a signed-in browser, checked on every request."""
    return login_sessions.user_for(db.session, key)


ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}(?:-\d{2})?(?!\d)")  # a day or a month


def whole_dates(text: str) -> Markup:
    """Text with its dates (2027-03-31, 2027-03) in ``<time>``, which the stylesheet keeps on
    one line: a browser would break them after a hyphen. static/js/app.js does the same in its
    dialog."""
    return Markup(
        ISO_DATE.sub(lambda m: f'<time datetime="{m[0]}">{m[0]}</time>', str(escape(text)))
    )


def contact_marks(text: str | None) -> Markup:
    """The text, escaped, with each contact detail in it marked (for reviewers)."""
    text = text or ""
    parts, last = [], 0
    for found in contact_details.find(text):
        parts.append(escape(text[last : found.start]))
        parts.append(Markup('<mark class="contact-detail">%s</mark>') % found.text)
        last = found.end
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def _for_someone() -> bool:
    """Whether this request was made by a signed-in user or with an API token."""
    if g.get("api_user") is not None:
        return True
    return request.endpoint != "static" and current_user.is_authenticated


def init_app(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    allow_uploads(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    app.jinja_env.globals.update(
        label=label,
        taxonomy=get_taxonomy,
        locale=locale,
        reason_label=reason_label,
        figure=figures.FIGURES.__getitem__,
        contact_details_in=contact_details.kinds_in,
        DemandStatus=DemandStatus,
        **questions.HELPERS,
        **STATUS_LABELS,
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["whole_dates"] = whole_dates
    app.jinja_env.filters["contact_marks"] = contact_marks

    @app.context_processor
    def inject_user_state() -> dict:
        unread = (
            notification_service.unread_count(db.session, current_user)
            if current_user.is_authenticated
            else 0
        )
        return {"unread_notifications": unread}

    @app.before_request
    def reject_unsafe_characters():
        """Pages: no text input with control or bidi override characters reaches a view.
        (The API's schemas answer the same with a 422 naming the field.)"""
        if request.path.startswith("/api/"):
            return None
        for name, value in chain(request.args.items(multi=True), request.form.items(multi=True)):
            if has_unsafe_characters(value):
                message = _(
                    "“%(field)s”%(problem)s", field=name, problem=unsafe_characters_message()
                )
                return error_response(400, message)
        return None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            # Served over HTTPS only: browsers must never try plain HTTP (and its cookies) again.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if "Cache-Control" not in response.headers and (
            response.mimetype == "text/html" or _for_someone()
        ):
            # Pages and anything answered to a signed-in caller (contact details, drafts) stay
            # out of shared and browser caches; files that chose their caching keep it.
            response.headers["Cache-Control"] = "no-store"
        return response
