"""Guide publication under concurrency: one edition per draft, numbers without gaps or clashes."""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Guide, JobRun, Notification
from matchmaker.services import guides
from tests.conftest import at_once

from .conftest import statuses

BODY = {
    "title": "2026年第四季度工业设计供需指南",
    "period_start": "2026-10-01",
    "period_end": "2026-12-31",
}


def _draft(admin, title: str) -> int:
    guide = guides.create_draft(db.session, admin, {**BODY, "title": title})
    db.session.commit()
    return guide.id


def test_one_draft_published_at_once_many_times_is_published_once(live, make):
    admin = make.admin()
    readers = [make.enterprise(), make.provider()]
    for reader in readers:
        guides.set_subscription(db.session, reader, True)
    db.session.commit()
    guide_id = _draft(admin, "同一草稿")
    token = live.token(admin)

    responses = at_once([lambda: live.api("POST", f"/guides/{guide_id}/publish", token)] * 6)

    assert sorted(statuses(responses)) == [200] + [409] * 5
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["error"]["code"] == "conflict"
    db.session.expire_all()
    guide = db.session.get(Guide, guide_id)
    assert (guide.status, guide.edition) == ("published", 1)
    # The losers did nothing: one audit event, one notification per subscriber.
    published = select(func.count(AuditEvent.id)).where(AuditEvent.action == "guide.published")
    assert db.session.scalar(published) == 1
    notified = select(func.count(Notification.id)).where(Notification.kind == "guide_published")
    assert db.session.scalar(notified) == len(readers)
    # … and one round of after-commit work: the files rendered once, the e-mails sent once.
    guide_jobs = ("render_guide", "mail_guide_subscribers")
    jobs = db.session.execute(
        select(JobRun.name, JobRun.args).where(JobRun.name.in_(guide_jobs))
    ).all()
    assert sorted(name for name, _ in jobs) == sorted(guide_jobs)
    assert {args[0] for _, args in jobs} == {guide_id}


def test_different_drafts_published_at_once_get_consecutive_editions(live, make):
    admin = make.admin()
    ids = [_draft(admin, f"草稿{n}") for n in range(5)]
    token = live.token(admin)

    responses = at_once([lambda g=g: live.api("POST", f"/guides/{g}/publish", token) for g in ids])

    assert statuses(responses) == [200] * len(ids)
    db.session.expire_all()
    editions = {g.edition: g for g in db.session.scalars(select(Guide))}
    assert sorted(editions) == [1, 2, 3, 4, 5]
    # Each edition links the one published just before it and records the changes since then.
    assert editions[1].previous_id is None
    for number in range(2, 6):
        guide = editions[number]
        assert guide.previous_id == editions[number - 1].id
        assert guide.content["changes"]["previous_edition"] == number - 1
        assert [p["edition"] for p in guide.content["trend"]] == list(range(1, number + 1))
