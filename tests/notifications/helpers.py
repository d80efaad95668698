"""Helpers for channel tests: a real SMTP server, a webhook receiver, users, complaints and a dispatcher."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.resources import Resource
from engine.domain.actors import SYSTEM, Actor
from engine.domain.roles import ROLE_ADMIN
from engine.services.designer import deployment
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.services.users import accounts as user_service
from engine.store.complaints import Complaint
from notifications import webhooks
from notifications.dispatcher import Dispatcher
from notifications.settings import ChannelSettings

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
ADMIN = Actor("admin", roles=frozenset({ROLE_ADMIN}))
SECRET = "test-secret-key-for-status-links"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class MailRecorder:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, _class=EmailMessage, policy=email.policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [message for _rcpt, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for rcpt, message in self.received if address in rcpt]


class SmtpServer:
    """A real SMTP server on loopback that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.recorder = MailRecorder()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class WebhookReceiver:
    """A local HTTP server that verifies signatures; ``fail_next`` answers 500 that many times first."""

    secret: str = ""
    fail_next: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                valid = webhooks.verify(
                    receiver.secret,
                    self.headers.get(webhooks.TIMESTAMP_HEADER, ""),
                    body,
                    self.headers.get(webhooks.SIGNATURE_HEADER, ""),
                )
                status = 200 if valid else 401
                if valid and receiver.fail_next > 0:
                    receiver.fail_next -= 1
                    status = 500
                receiver.calls.append(
                    {
                        "status": status,
                        "valid": valid,
                        "delivery": self.headers.get(webhooks.DELIVERY_HEADER),
                        "event": self.headers.get(webhooks.EVENT_HEADER),
                        "json": json.loads(body),
                    }
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def channel_settings(smtp_port: int, **overrides: Any) -> ChannelSettings:
    values: dict[str, Any] = {
        "secret_key": SECRET,
        "public_url": "https://complaints.example.org",
        "mail_from": "service@example.org",
        "mail_from_name": "Complaint Service",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_timeout": 5.0,
        "webhook_timeout": 5.0,
    }
    values.update(overrides)
    return ChannelSettings(**values)


class Clock:
    """A movable clock for the dispatcher."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def dispatcher(sessions: sessionmaker[Session], settings: ChannelSettings, clock: Clock) -> Dispatcher:
    return Dispatcher(sessions, settings, clock)


def deploy_wait_process(session: Session, now: datetime) -> None:
    for name in ("customer_wait.bpmn", "feedback_wait.bpmn"):
        deployment.deploy(session, ADMIN, [Resource(name, (DIAGRAMS / name).read_text(encoding="utf-8"))], now)


def open_test_complaint(
    session: Session,
    now: datetime,
    *,
    language: str = "en",
    name: str = "Erika Muster",
    email_address: str | None = "erika@example.org",
    subject: str = "Broken kettle",
    process_key: str = "customer_wait",
) -> Complaint:
    return open_complaint(
        session,
        SYSTEM,
        NewComplaint(
            customer_name=name,
            customer_email=email_address,
            subject=subject,
            description="It stopped working after two days.",
            channel="web",
            language=language,
        ),
        process_key,
        now,
    )


def add_user(
    session: Session,
    now: datetime,
    username: str,
    *,
    email_address: str | None,
    language: str = "en",
    groups: tuple[str, ...] = ("agent",),
) -> None:
    user_service.ensure_users(
        session,
        ADMIN,
        {group: (group.title(), False) for group in groups},
        [user_service.UserData(username, username.title(), email_address, "secret-pass", language, ("agent",), groups)],
        now,
    )
