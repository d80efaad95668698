"""Sending mail over SMTP (plain, STARTTLS or SSL, optional login), refusing header injection."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from functools import cache

from notifications.errors import HeaderInjection, PermanentDeliveryError, TransientDeliveryError
from notifications.settings import ChannelSettings

_FORBIDDEN = {chr(code) for code in range(32) if code != 9} | {"\x7f", "\u2028", "\u2029", "\x85"}


def check_header(value: str, what: str) -> str:
    """Refuse a header value with a line break or control character (the way extra headers get smuggled in)."""
    if any(char in _FORBIDDEN for char in value):
        raise HeaderInjection(f"refused: the {what} contains a line break or control character")
    return value


def check_address(value: str, what: str = "address") -> Address:
    """A single plain address (local@domain) or HeaderInjection/PermanentDeliveryError."""
    check_header(value, what)
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain or any(c in value for c in ' <>,;:"()[]\\'):
        raise PermanentDeliveryError(f"refused: {what} {value!r} is not a single e-mail address")
    try:
        return Address(addr_spec=value.strip())
    except (ValueError, IndexError) as error:
        raise PermanentDeliveryError(f"refused: {what} {value!r} is not a valid e-mail address ({error})") from None


@dataclass(frozen=True)
class OutgoingMail:
    """One rendered mail to one person."""

    to_address: str
    subject: str
    text: str
    html: str | None = None
    to_name: str = ""
    message_id: str | None = None  # the idempotency key: the same on every retry of the same outbox row
    headers: dict[str, str] = field(default_factory=dict)


def build_message(settings: ChannelSettings, mail: OutgoingMail) -> EmailMessage:
    """The MIME message (text, plus an HTML alternative when there is one)."""
    message = EmailMessage()
    sender = check_address(settings.mail_from, "sender address")
    message["From"] = Address(check_header(settings.mail_from_name, "sender name"), addr_spec=sender.addr_spec)
    recipient = check_address(mail.to_address, "recipient address")
    message["To"] = Address(check_header(mail.to_name, "recipient name"), addr_spec=recipient.addr_spec)
    message["Subject"] = check_header(mail.subject, "subject")
    message["Date"] = formatdate(localtime=False)
    domain = sender.domain or "localhost"
    if mail.message_id:
        message["Message-ID"] = f"<{check_header(mail.message_id, 'message id')}@{domain}>"
    # Tells vacation responders and mail-intake loops that no person wrote this.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in mail.headers.items():
        message[check_header(name, "header name")] = check_header(value, f"{name} header")
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


@cache
def _tls_context() -> ssl.SSLContext:
    # Built once per process: loading the system's CA certificates took about 30 ms of CPU, more than the rest
    # of sending a mail, and the dispatcher paid it for every mail, also for servers without TLS.
    return ssl.create_default_context()


def send(settings: ChannelSettings, mail: OutgoingMail) -> None:
    """Deliver one mail; raises TransientDeliveryError (retry) or PermanentDeliveryError (give up)."""
    message = build_message(settings, mail)
    try:
        client: smtplib.SMTP
        if settings.smtp_security == "ssl":
            client = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=_tls_context()
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=_tls_context())
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        text = f"recipient refused: {error.recipients}"
        if all(500 <= code < 600 for code in codes):
            raise PermanentDeliveryError(text) from None
        raise TransientDeliveryError(text) from None
    except smtplib.SMTPResponseException as error:
        text = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
        if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPAuthenticationError):
            raise PermanentDeliveryError(text) from None
        raise TransientDeliveryError(text) from None
    except (OSError, smtplib.SMTPException) as error:
        # Connection refused, timeouts, TLS trouble, a server that hangs up: the server may be back later.
        raise TransientDeliveryError(f"SMTP server {settings.smtp_host}:{settings.smtp_port}: {error}") from None
