"""The jobs, their schedule, and the handlers of after-commit work.

After a commit (``transaction``), each kind of work a service registered becomes a job
here: index delivery, one e-mail, a published guide (render its files, e-mail the
subscribers), a meeting's invitations, changes and cancellation (e-mail the invitees), a
diagnostic visit scheduled, moved or cancelled (e-mail everyone taking part). On a
schedule (times are UTC): index sync every minute (the outbox's retry), stale jobs and
imports swept every minute, saved-search and unread-message digests hourly, reviews that
turned public re-indexed hourly, demand expiry daily at 01:00 Beijing time, design-centre
recognitions reminded of and expired daily at 01:10; daily too: finished job records pruned,
old survey files deleted, registrations that can never be confirmed closed.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, request
from huey import crontab
from sqlalchemy import delete

from search import SearchUnavailable

from ..extensions import db
from ..models import Guide, JobRun, User, utcnow
from ..search_engine import get_search
from ..services import (
    deals,
    demands,
    guides,
    indexing,
    job_runs,
    mail,
    meetings,
    message_digests,
    registration,
    saved_searches,
)
from ..services.accreditation import recognitions
from ..services.diagnosis import notices as diagnosis_notices
from ..services.guides import files as guide_files
from ..services.imports import jobs as import_jobs
from ..transaction import commit, handles, rollback, unit_of_work
from . import tracking
from .queue import JOBS, huey, job

KEEP_FINISHED = dt.timedelta(days=7)


def public_base_url() -> str:
    """Where e-mailed links point: SERVER_NAME when set, else the request's host."""
    config = current_app.config
    if config.get("SERVER_NAME"):
        return f"{config.get('PREFERRED_URL_SCHEME') or 'http'}://{config['SERVER_NAME']}"
    if has_request_context():
        return request.host_url.rstrip("/")
    return f"http://127.0.0.1:{config.get('PORT') or 5000}"


# --- index ---------------------------------------------------------------------------------


@job(retries=8, retry_delay=5, retry_backoff=2)
def deliver_index() -> None:
    """Deliver the outbox; while the engine is down, retried after 5 s, 10 s, 20 s … 10 min."""
    indexing.deliver_pending(db.session, get_search(), raise_on_outage=True)


@job(periodic=crontab(minute="*"))
def sync_index() -> None:
    """The outbox's safety net: whatever a failed delivery left behind."""
    try:
        indexing.deliver_pending(db.session, get_search())
    except SearchUnavailable:
        pass  # kept in the outbox; next minute again


@handles(indexing.DELIVER)
def _deliver_after_commit() -> None:
    deliver_index()


# --- mail ----------------------------------------------------------------------------------


@job(retries=6, retry_delay=30, retry_backoff=2)
def send_mail(to: str, subject: str, body: str, attachments: list | tuple = ()) -> None:
    """One message; a failing server is retried after 30 s, 1, 2, 4, 8 and 16 minutes."""
    mail.deliver(current_app.config, to, subject, body, [tuple(a) for a in attachments])


@handles(mail.MAIL)
def _mail_after_commit(to: str, subject: str, body: str, attachments: tuple = ()) -> None:
    if mail.enabled(current_app.config):
        send_mail(to, subject, body, [list(a) for a in attachments])


@job(periodic=crontab(minute="15"))
def send_message_digests() -> None:
    """Unread messages older than half an hour, one e-mail per person, hourly."""
    if mail.enabled(current_app.config):
        message_digests.send(db.session, public_base_url())


@job(periodic=crontab(minute="25"))
def reveal_public_reviews() -> None:
    """Reviews that turned public (both sides wrote, or 14 days passed) reach the search
    records of their providers: hourly."""
    deals.reveal_public_reviews(db.session)


@job(periodic=crontab(minute="5"))
def send_alert_digests() -> None:
    saved_searches.send_digests(db.session, get_search(), public_base_url())


# --- guides and meetings -------------------------------------------------------------------


@job(retries=2, retry_delay=60)
def render_guide(guide_id: int) -> None:
    """An edition's files; a second request while one renders is skipped (locked)."""
    with huey.lock_task(f"render_guide-{guide_id}"):
        guide = db.session.get(Guide, guide_id)
        if guide is not None:
            guide_files.render_all(
                db.session, guide, current_app.config, current_app.config["UPLOAD_FOLDER"]
            )


@job()
def mail_guide_subscribers(guide_id: int, base_url: str) -> None:
    guide = db.session.get(Guide, guide_id)
    if guide is not None and mail.enabled(current_app.config):
        guides.mail_subscribers(db.session, guide, base_url)


@handles(guides.PUBLISHED_WORK)
def _guide_published(guide_id: int) -> None:
    render_guide(guide_id)
    mail_guide_subscribers(guide_id, public_base_url())


@job()
def mail_meeting_news(meeting_id: int, organization_ids: list[int], kind: str, base_url: str):
    """An invitation, a change or a cancellation, e-mailed to the invited organisations."""
    if mail.enabled(current_app.config):
        meetings.mail_organizations(db.session, meeting_id, organization_ids, kind, base_url)


@handles(meetings.MAIL_WORK)
def _meeting_news(meeting_id: int, organization_ids: tuple[int, ...], kind: str) -> None:
    mail_meeting_news(meeting_id, list(organization_ids), kind, public_base_url())


@job()
def mail_diagnosis_news(request_id: int, kind: str, base_url: str) -> None:
    """A diagnostic visit scheduled, moved or cancelled, e-mailed to everyone taking part."""
    if mail.enabled(current_app.config):
        diagnosis_notices.mail_participants(db.session, request_id, kind, base_url)


@handles(diagnosis_notices.MAIL_WORK)
def _diagnosis_news(request_id: int, kind: str) -> None:
    mail_diagnosis_news(request_id, kind, public_base_url())


@handles(job_runs.RETRY_WORK)
def _retry(name: str, args: tuple) -> None:
    JOBS[name](*args)


# --- survey imports ------------------------------------------------------------------------


@job()
def run_import(job_id: int, actor_id: int) -> None:
    """A committed survey import, chunk by chunk; on failure undone and recorded on the job
    (an error that is not about the file also fails this job, for the jobs page)."""
    actor = db.session.get(User, actor_id)
    try:
        import_jobs.run(
            db.session, actor, job_id, current_app.config["UPLOAD_FOLDER"], commit=commit
        )
    except Exception as exc:
        rollback()
        with unit_of_work():
            import_jobs.fail(db.session, job_id, exc)
        if not isinstance(exc, import_jobs.FileProblem | import_jobs.Stopped):
            raise


@handles(import_jobs.RUN_WORK)
def _import_started(job_id: int, actor_id: int) -> None:
    run_import(job_id, actor_id)


# --- housekeeping --------------------------------------------------------------------------


@job(periodic=crontab(minute="0", hour="17"))
def expire_demands() -> None:
    """Demands past their deadline close (17:00 UTC = 01:00 Beijing time)."""
    demands.expire_overdue(db.session)


@job(periodic=crontab(minute="10", hour="17"))
def expire_recognitions() -> None:
    """Design-centre recognitions ending within 90 days are reminded of once, those past
    their last valid day end and their organisations' levels follow (01:10 Beijing time)."""
    recognitions.remind_due(db.session)
    recognitions.expire_due(db.session)


@job(periodic=crontab(minute="*"))
def sweep_stale_jobs() -> None:
    """Jobs and imports whose worker died: failed (imports also undone), to be retried."""
    tracking.sweep(db.session)
    import_jobs.sweep(db.session)


@job(periodic=crontab(minute="0", hour="18"))
def close_unconfirmable_accounts() -> None:
    """Registrations over an address another account holds, a week after they were made."""
    registration.close_unconfirmable(db.session)


@job(periodic=crontab(minute="0", hour="19"))
def purge_import_files() -> None:
    import_jobs.purge_files(db.session, current_app.config["UPLOAD_FOLDER"])


@job(periodic=crontab(minute="30", hour="18"))
def prune_job_records() -> None:
    db.session.execute(
        delete(JobRun).where(
            JobRun.status == tracking.DONE, JobRun.finished_at < utcnow() - KEEP_FINISHED
        )
    )
