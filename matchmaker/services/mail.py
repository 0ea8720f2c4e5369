"""Outgoing e-mail: services queue messages for after the commit; a job delivers them.

``queue`` registers a message as after-commit work (``unit_of_work``), so nothing is sent
for a transaction that rolls back and no request waits for SMTP. The job that carries it
out calls ``deliver``, which raises ``MailFailed`` so that the job is retried with backoff.
Without ``MAIL_SERVER`` there is no e-mail at all (in-app notifications only).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

from sqlalchemy.orm import Session

from .unit_of_work import after_commit

MAIL = "mail"  # after-commit work: (to, subject, body, attachments)
TIMEOUT = 10  # seconds per SMTP conversation (in a job, never in a request)


Attachment = tuple[str, str, str]  # file name, content type, text (e.g. a calendar file)


class MailFailed(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def enabled(config: Mapping) -> bool:
    return bool(config.get("MAIL_SERVER"))


def queue(
    session: Session, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> None:
    """Send one plain-text message once the current transaction has committed."""
    after_commit(session, MAIL, to, subject, body, tuple(attachments))


def deliver(
    config: Mapping, to: str, subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> None:
    """Send one plain-text message now; MailFailed when the server fails."""
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER", "noreply@matchmaker.local")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for name, content_type, text in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(text.encode(), maintype=maintype, subtype=subtype, filename=name)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=TIMEOUT
        ) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(f"mail to {to} failed: {exc}") from exc
