"""A local mail catcher for development: an SMTP listener (aiosmtpd) that keeps every mail in a Maildir.

`complaintflow run` starts it when no SMTP server is configured, so the outbox is delivered instead of
retrying `localhost:25` forever, and staff can read what customers would have received (the status link in
the receipt, for instance) on the web UI's mail page. Production sets COMPLAINTFLOW_SMTP_HOST and never
starts it.
"""

from __future__ import annotations

import mailbox
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

FOLDER_NAME = "mail-catcher"


class _KeepInMaildir:
    """aiosmtpd handler: every accepted message is added to the Maildir as it arrived."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        mailbox.Maildir(str(folder), create=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        content = envelope.original_content or envelope.content
        mailbox.Maildir(str(self.folder), create=True).add(content)
        return "250 Message kept by the local mail catcher"


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (aiosmtpd cannot bind port 0: it connects to its port to check it started)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def start_mail_catcher(folder: Path, host: str = "127.0.0.1", port: int | None = None) -> Controller:
    """Listen on ``host:port`` (default: a free port, see ``controller.port``) until ``controller.stop()``."""
    controller = Controller(_KeepInMaildir(folder), hostname=host, port=port or free_port(host))
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMail:
    """One kept mail, as the mail page shows it."""

    key: str
    sender: str
    recipients: str
    subject: str
    sent_at: datetime | None
    text: str


def _text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    return content if isinstance(content, str) else ""


def _read(key: str, raw: bytes) -> CaughtMail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    try:
        sent_at: datetime | None = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    return CaughtMail(
        key=key,
        sender=str(message["From"] or ""),
        recipients=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        sent_at=sent_at,
        text=_text_of(message),
    )


def caught_mails(folder: Path) -> list[CaughtMail]:
    """Every kept mail, newest first."""
    if not folder.is_dir():
        return []
    box = mailbox.Maildir(str(folder), factory=None, create=False)
    mails = [_read(key, box.get_bytes(key)) for key in box.iterkeys()]
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(mails, key=lambda mail: (mail.sent_at or oldest, mail.key), reverse=True)


def caught_mail(folder: Path, key: str) -> CaughtMail | None:
    """One kept mail by its Maildir key, or None."""
    if not folder.is_dir():
        return None
    box = mailbox.Maildir(str(folder), factory=None, create=False)
    try:
        return _read(key, box.get_bytes(key))
    except KeyError:
        return None
