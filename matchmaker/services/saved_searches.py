"""Saved lead searches and their daily digests.

A provider saves the filters and text of a lead search. ``send_digests`` (an hourly job,
or ``matchmaker alerts send``) looks, for every search not alerted in the last 24 hours, at
demands published or changed since its last alert, keeps those the search engine says
match, and sends one in-app notification (and queues one e-mail) listing them. Every
e-mail carries an unsubscribe link that needs no login.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from search import DEMANDS, SearchBackend, SearchQuery

from ..models import Demand, DemandStatus, Role, SavedSearch, User, utcnow
from . import audit, mail
from .access import SAVED_SEARCH_POLICY, require_role
from .errors import NotFound, field_error
from .notifications import notify

DIGEST_INTERVAL = dt.timedelta(days=1)
FILTER_KEYS = ("cluster", "service", "region")
MAX_PER_USER = 20


def _clean_query(query: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {"q": str(query.get("q") or "").strip()[:200]}
    for key in FILTER_KEYS:
        values = query.get(key) or []
        clean[key] = [str(v) for v in (values if isinstance(values, list) else [values])][:20]
    for key in ("budget_min", "budget_max"):
        value = query.get(key)
        clean[key] = (
            int(value)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit())
            else None
        )
    return clean


def save(session: Session, actor: User, name: str, query: Mapping[str, Any]) -> SavedSearch:
    require_role(actor, Role.PROVIDER)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise field_error("name", _("请填写名称（最多100字）"))
    if len(list_for(session, actor)) >= MAX_PER_USER:
        raise field_error("name", _("最多保存 %(n)s 个搜索", n=MAX_PER_USER))
    saved = SavedSearch(
        user_id=actor.id,
        name=name,
        query=_clean_query(query),
        unsubscribe_token=secrets.token_urlsafe(32),
        last_alerted_at=utcnow(),
    )
    return audit.log_added(session, actor, saved, "saved_search.created", "saved_search")


def list_for(session: Session, actor: User) -> list[SavedSearch]:
    return list(
        session.scalars(
            select(SavedSearch)
            .where(SavedSearch.user_id == actor.id)
            .order_by(SavedSearch.created_at.desc())
        )
    )


def delete(session: Session, actor: User, saved_id: int) -> None:
    session.delete(SAVED_SEARCH_POLICY.visible(actor, session.get(SavedSearch, saved_id)))


def unsubscribe(session: Session, token: str) -> SavedSearch:
    saved = session.scalar(select(SavedSearch).where(SavedSearch.unsubscribe_token == token))
    if saved is None:
        raise NotFound(_("链接无效"))
    saved.active = False
    audit.log_event(session, saved.user, "saved_search.unsubscribed", "saved_search", saved.id)
    return saved


def search_query(
    saved: SavedSearch, ids: list[int] | None = None, per_page: int = 20
) -> SearchQuery:
    query = saved.query
    return SearchQuery(
        index=DEMANDS,
        text=query.get("q", ""),
        filters={
            **{k: query.get(k, []) for k in FILTER_KEYS if query.get(k)},
            "status": [DemandStatus.PUBLISHED],
        },
        budget_min=query.get("budget_min"),
        budget_max=query.get("budget_max"),
        ids=ids,
        per_page=per_page,
    )


def matching_new_demands(
    session: Session, backend: SearchBackend, saved: SavedSearch
) -> list[Demand]:
    since = saved.last_alerted_at or saved.created_at
    candidates = list(
        session.scalars(
            select(Demand.id).where(
                Demand.status == DemandStatus.PUBLISHED, Demand.updated_at > since
            )
        )
    )
    if not candidates:
        return []
    page = backend.search(search_query(saved, ids=candidates, per_page=len(candidates)))
    rows = {
        d.id: d
        for d in session.scalars(select(Demand).where(Demand.id.in_([h.id for h in page.hits])))
    }
    return [rows[h.id] for h in page.hits if h.id in rows]


def send_digests(
    session: Session, backend: SearchBackend, base_url: str, now: dt.datetime | None = None
) -> int:
    """One digest per search per day at most; returns how many were sent."""
    now = now or utcnow()
    sent = 0
    for saved in session.scalars(select(SavedSearch).where(SavedSearch.active.is_(True))).all():
        if saved.last_alerted_at and now - saved.last_alerted_at < DIGEST_INTERVAL:
            continue
        found = matching_new_demands(session, backend, saved)
        saved.last_alerted_at = now
        if not found:
            continue
        titles = [d.title for d in found[:10]]
        notify(
            session,
            [saved.user],
            "saved_search_digest",
            "/leads",
            search=saved.name,
            count=len(found),
            titles=titles,
        )
        lines = "\n".join(f"- {d.title}  {base_url}/demands/{d.id}" for d in found[:10])
        mail.queue(
            session,
            saved.user.email,
            _("【工业设计供需对接平台】“%(name)s”有 %(n)s 条新需求", name=saved.name, n=len(found)),
            f"{lines}\n\n{_('退订此提醒')}: "
            f"{base_url}/alerts/unsubscribe/{saved.unsubscribe_token}\n",
        )
        audit.log_event(
            session, None, "saved_search.digest_sent", "saved_search", saved.id, count=len(found)
        )
        sent += 1
    return sent
