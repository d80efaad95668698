"""Channel settings from ``COMPLAINTFLOW_*`` variables: SMTP, public URL, retries, webhooks and mail intake."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from engine.services.delivery.bookkeeping import RetryPolicy
from engine.settings import secret_key
from processes import MAIN_PROCESS

SMTP_SECURITY = ("none", "starttls", "ssl")
DEFAULT_ATTACHMENT_TYPES = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "text/plain",
)


@dataclass(frozen=True)
class ChannelSettings:
    """Everything the dispatcher, the mail intake and the portal need to reach people."""

    secret_key: str
    public_url: str = "http://localhost:5000"
    # False: COMPLAINTFLOW_PUBLIC_URL is not set, and an answer to a web request links to the address it came to.
    public_url_configured: bool = False
    mail_from: str = "complaints@localhost"
    mail_from_name: str = "Complaint service"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_security: str = "none"  # none / starttls / ssl
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout: float = 30.0
    webhook_timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timezone: str = "Europe/Berlin"  # dates in mails are shown in this zone
    # E-mail intake (complaintflow mail-intake).
    intake_host: str = "127.0.0.1"
    intake_port: int = 2525
    # The process every intake channel (portal, REST API, mail) starts: the one `make run` deploys.
    intake_process: str = MAIN_PROCESS
    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    # Attachments from the portal, the API and mail.
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_attachments: int = 5
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def load_channel_settings(instance_path: Path, environ: Mapping[str, str] | None = None) -> ChannelSettings:
    """Read the environment (COMPLAINTFLOW_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, ...)."""
    env = os.environ if environ is None else environ
    security = (env.get("COMPLAINTFLOW_SMTP_SECURITY") or "none").lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"COMPLAINTFLOW_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    types = env.get("COMPLAINTFLOW_ATTACHMENT_TYPES")
    return ChannelSettings(
        secret_key=secret_key(instance_path, env),
        public_url=(env.get("COMPLAINTFLOW_PUBLIC_URL") or "http://localhost:5000").rstrip("/"),
        public_url_configured=bool(env.get("COMPLAINTFLOW_PUBLIC_URL")),
        mail_from=env.get("COMPLAINTFLOW_MAIL_FROM") or "complaints@localhost",
        mail_from_name=env.get("COMPLAINTFLOW_MAIL_FROM_NAME") or "Complaint service",
        smtp_host=env.get("COMPLAINTFLOW_SMTP_HOST") or "localhost",
        smtp_port=_int(env, "COMPLAINTFLOW_SMTP_PORT", default_port),
        smtp_security=security,
        smtp_user=env.get("COMPLAINTFLOW_SMTP_USER") or None,
        smtp_password=env.get("COMPLAINTFLOW_SMTP_PASSWORD") or None,
        retry=RetryPolicy(
            base=timedelta(seconds=_int(env, "COMPLAINTFLOW_RETRY_BASE_SECONDS", 60)),
            cap=timedelta(seconds=_int(env, "COMPLAINTFLOW_RETRY_CAP_SECONDS", 6 * 3600)),
            max_attempts=_int(env, "COMPLAINTFLOW_RETRY_MAX_ATTEMPTS", 10),
        ),
        timezone=env.get("COMPLAINTFLOW_TIMEZONE") or "Europe/Berlin",
        intake_host=env.get("COMPLAINTFLOW_INTAKE_HOST") or "127.0.0.1",
        intake_port=_int(env, "COMPLAINTFLOW_INTAKE_PORT", 2525),
        intake_process=env.get("COMPLAINTFLOW_INTAKE_PROCESS") or MAIN_PROCESS,
        imap_host=env.get("COMPLAINTFLOW_IMAP_HOST") or None,
        imap_port=_int(env, "COMPLAINTFLOW_IMAP_PORT", 993),
        imap_user=env.get("COMPLAINTFLOW_IMAP_USER") or None,
        imap_password=env.get("COMPLAINTFLOW_IMAP_PASSWORD") or None,
        imap_folder=env.get("COMPLAINTFLOW_IMAP_FOLDER") or "INBOX",
        max_attachment_bytes=_int(env, "COMPLAINTFLOW_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024),
        max_attachments=_int(env, "COMPLAINTFLOW_MAX_ATTACHMENTS", 5),
        attachment_types=tuple(t.strip() for t in types.split(",") if t.strip()) if types else DEFAULT_ATTACHMENT_TYPES,
    )
