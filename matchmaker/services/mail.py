"""Outgoing e-mail over SMTP; a no-op when MAIL_SERVER is not configured."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from email.message import EmailMessage

log = logging.getLogger(__name__)


Attachment = tuple[str, str, bytes]  # file name, content type, content


def send(
    config: Mapping,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Send one plain-text message (with files, e.g. a calendar file); returns False (and
    logs) when mail is off or fails."""
    if not config.get("MAIL_SERVER"):
        return False
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER", "noreply@matchmaker.local")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for name, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10
        ) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("mail to %s failed: %s", to, exc)
        return False
    return True
