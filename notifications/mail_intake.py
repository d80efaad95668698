"""E-mail intake: an SMTP listener (aiosmtpd) or IMAP polling that turns mails into complaints.

A mail whose subject (or body) carries a complaint number, sent from that complaint's customer address,
is customer information for that complaint; any other mail opens a new complaint with channel ``email``.
HTML-only mails are reduced to text with nh3 (no markup survives), attachments are held to the limits,
automatic replies are ignored (no mail loops with our own notifications), and a Message-ID seen before
is not taken twice.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import html
import imaplib
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses
from typing import Any
from uuid import uuid4

import nh3
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.actors import Actor
from engine.domain.attachments import AttachmentLimits, Upload
from engine.domain.errors import ComplaintflowError, Conflict, FormValidationError, InvalidState, NotFound
from engine.services.intake import channels as intake
from engine.services.intake.complaints import NewComplaint, get_complaint
from notifications.settings import ChannelSettings
from notifications.wording import language

log = logging.getLogger(__name__)
MAIL_ACTOR = Actor("mail-intake")
REFERENCE = re.compile(r"\bC-\d{4}-\d{6}\b")
MAX_MAIL_BYTES = 30 * 1024 * 1024
_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>")


@dataclass
class ParsedMail:
    """What the intake needs from a mail."""

    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    language: str = "de"
    automatic: bool = False
    attachments: list[Upload] = field(default_factory=list)


@dataclass(frozen=True)
class IntakeResult:
    """What happened to one mail: opened / attached / duplicate / ignored / rejected."""

    outcome: str
    reference: str | None = None
    detail: str = ""


def html_to_text(markup: str) -> str:
    """Visible text of an HTML mail: block ends become line breaks, every tag and script is dropped."""
    marked = _BLOCK_END.sub("\n", markup)
    text = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    # nh3 returns HTML-escaped text; the intake stores plain text, which every page escapes when showing it.
    text = html.unescape(text).replace("\xa0", " ")
    return re.sub(r"\n\s*\n\s*\n+", "\n\n", text).strip()


def _one_line(value: str) -> str:
    return " ".join(str(value or "").split())


def _header(headers: Message, name: str) -> str:
    # Headers are decoded by hand and flattened to one line: the strict parser raises on encoded line
    # breaks (a header-injection attempt), and the intake must refuse such a mail, not crash on it.
    value = headers.get(name)
    return "" if value is None else _decoded(str(value))


def _decoded(value: str) -> str:
    try:
        decoded = str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        decoded = value
    return _one_line(decoded)


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse a raw RFC 5322 message (attachments are collected, not yet checked)."""
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    message = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    # The address is taken from the raw header, before encoded words are decoded: a display name such as
    # "=?utf-8?q?Bcc=3A_x=40evil?=" must never turn into (another) address.
    raw_from = " ".join(str(headers.get("From", "")).split())
    found = getaddresses([raw_from])
    encoded_name, address = found[0] if len(found) == 1 else ("", "")
    name = _decoded(encoded_name)
    subject = _header(headers, "Subject")
    message_id = _header(headers, "Message-ID") or f"<generated-{uuid4().hex}@intake>"
    auto = _header(headers, "Auto-Submitted").lower() or "no"
    precedence = _header(headers, "Precedence").lower()
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = html_to_text(content) if body.get_content_type() == "text/html" else content.strip()
    uploads = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            uploads.append(Upload(part.get_filename() or "attachment", part.get_content_type(), payload))
    lang = language(_header(headers, "Content-Language") or "de")
    return ParsedMail(
        message_id=message_id[:300],
        from_address=address.strip().lower(),
        from_name=_one_line(name)[:200],
        subject=subject[:300],
        text=text,
        language=lang,
        automatic=auto not in ("", "no") or precedence in ("bulk", "junk", "auto_reply"),
        attachments=uploads,
    )


def _limits(settings: ChannelSettings) -> AttachmentLimits:
    return AttachmentLimits(settings.max_attachment_bytes, settings.max_attachments, settings.attachment_types)


def _reply_reference(session: Session, mail: ParsedMail) -> str | None:
    for candidate in REFERENCE.findall(mail.subject) + REFERENCE.findall(mail.text[:2000]):
        try:
            complaint = get_complaint(session, candidate)
        except NotFound:
            continue
        # A number alone is no proof: only the complaint's own customer may add to it by mail.
        if (complaint.customer.email or "").lower() == mail.from_address:
            return complaint.reference
    return None


def take_in(session: Session, raw: bytes, settings: ChannelSettings, now: datetime) -> IntakeResult:
    """Process one raw mail: open a complaint or attach customer information; a known Message-ID is skipped."""
    mail = parse_mail(raw)
    try:
        return _take_in(session, mail, settings, now)
    except Conflict:
        # The same mail came in twice at once (SMTP and IMAP, two pollers): the Message-ID is unique, the
        # other delivery committed first, so this one is the duplicate, not a failure.
        session.rollback()
        if intake.already_taken(session, mail.message_id):
            return IntakeResult("duplicate", detail=mail.message_id)
        raise


def _take_in(session: Session, mail: ParsedMail, settings: ChannelSettings, now: datetime) -> IntakeResult:
    if intake.already_taken(session, mail.message_id):
        return IntakeResult("duplicate", detail=mail.message_id)
    if mail.automatic:
        return IntakeResult("ignored", detail="automatic reply")
    if not mail.from_address or "@" not in mail.from_address:
        intake.record_rejected_mail(session, mail.message_id, now)
        return IntakeResult("rejected", detail="no sender address")
    limits = _limits(settings)
    reference = _reply_reference(session, mail)
    try:
        if reference is not None:
            intake.add_customer_information(
                session,
                MAIL_ACTOR,
                reference,
                mail.text,
                mail.attachments,
                limits,
                now,
                source="email",
                inbound_message_id=mail.message_id,
            )
            return IntakeResult("attached", reference)
        new = NewComplaint(
            customer_name=mail.from_name or mail.from_address,
            customer_email=mail.from_address,
            subject=mail.subject or "(no subject)",
            description=mail.text or "(empty mail)",
            channel="email",
            language=mail.language,
        )
        complaint = intake.submit_complaint(
            session,
            MAIL_ACTOR,
            new,
            settings.intake_process,
            mail.attachments,
            limits,
            now,
            source="email",
            inbound_message_id=mail.message_id,
        )
        return IntakeResult("opened", complaint.reference)
    except (FormValidationError, InvalidState) as error:
        intake.record_rejected_mail(session, mail.message_id, now)
        detail = "; ".join(error.errors.values()) if isinstance(error, FormValidationError) else str(error)
        return IntakeResult("rejected", reference, detail)


class IntakeHandler:
    """aiosmtpd handler: each accepted mail is taken in with its own session, off the event loop."""

    def __init__(self, sessions: sessionmaker[Session], settings: ChannelSettings, clock: Any) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.results: list[IntakeResult] = []

    def _take(self, raw: bytes) -> IntakeResult:
        with self.sessions() as session:
            return take_in(session, raw, self.settings, self.clock())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                None, self._take, envelope.original_content or envelope.content
            )
        except ComplaintflowError as error:
            log.warning("mail from %s not taken in: %s", envelope.mail_from, error)
            return "451 4.3.0 cannot take this mail in right now, try again later"
        except Exception:  # noqa: BLE001 - the sending server retries a 4xx answer; nothing is lost
            log.exception("mail intake failed")
            return "451 4.3.0 temporary failure, try again later"
        self.results.append(result)
        log.info("mail %s: %s %s %s", envelope.mail_from, result.outcome, result.reference or "", result.detail)
        if result.outcome == "rejected":
            return f"550 5.7.1 not accepted: {result.detail[:200]}"
        return "250 2.0.0 OK"


def smtp_listener(sessions: sessionmaker[Session], settings: ChannelSettings, clock: Any) -> Controller:
    """A started-on-demand SMTP listener on the configured host and port (call ``.start()``)."""
    handler = IntakeHandler(sessions, settings, clock)
    return Controller(handler, hostname=settings.intake_host, port=settings.intake_port, data_size_limit=MAX_MAIL_BYTES)


def poll_imap(sessions: sessionmaker[Session], settings: ChannelSettings, clock: Any) -> list[IntakeResult]:
    """One IMAP pass over unseen mails; each is marked seen only after it was taken in."""
    if not settings.imap_host or not settings.imap_user:
        raise ComplaintflowError("set COMPLAINTFLOW_IMAP_HOST and COMPLAINTFLOW_IMAP_USER for IMAP polling")
    results = []
    with imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port) as client:
        client.login(settings.imap_user, settings.imap_password or "")
        client.select(settings.imap_folder)
        _status, data = client.uid("search", None, "UNSEEN")  # type: ignore[arg-type]
        for uid in (data[0] or b"").split():
            _status, fetched = client.uid("fetch", uid.decode(), "(BODY.PEEK[])")
            raw = next((part[1] for part in fetched if isinstance(part, tuple)), None)
            if not isinstance(raw, bytes) or len(raw) > MAX_MAIL_BYTES:
                continue
            with sessions() as session:
                results.append(take_in(session, raw, settings, clock()))
            client.uid("store", uid.decode(), "+FLAGS", "(\\Seen)")
    return results


def run_imap(
    sessions: sessionmaker[Session], settings: ChannelSettings, clock: Any, stop: threading.Event, interval: float
) -> None:
    """Poll until ``stop`` is set; a failed pass is logged and tried again next time."""
    while not stop.is_set():
        try:
            for result in poll_imap(sessions, settings, clock):
                log.info("imap mail: %s %s %s", result.outcome, result.reference or "", result.detail)
        except (OSError, imaplib.IMAP4.error, ComplaintflowError) as error:
            log.warning("imap poll failed: %s", error)
        stop.wait(interval)
