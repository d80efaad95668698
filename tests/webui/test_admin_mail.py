"""The mail page: SMTP and intake settings in use with secrets hidden, and a test message over real SMTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from engine.store.models import AuditEntry
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import SmtpServer, free_port
from tests.webui.support import Client


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def use_smtp(app: Flask, port: int) -> None:
    settings = app.extensions["complaintflow_channels"]
    app.extensions["complaintflow_channels"] = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_user="mailer", smtp_password="s3cret-smtp",
        imap_host="imap.example.org", imap_user="intake", imap_password="s3cret-imap", smtp_timeout=5.0,
        mail_from="service@example.org",
    )  # fmt: skip


def test_the_settings_are_shown_without_secrets(app: Flask, client_for: Callable[[str], Client]) -> None:
    use_smtp(app, 2525)
    page = client_for("admin").get("/admin/mail/").get_data(as_text=True)
    assert "127.0.0.1:2525" in page and "mailer" in page and "imap.example.org:993" in page and "intake" in page
    assert "s3cret" not in page and page.count("set (hidden)") == 2


def test_a_test_message_reaches_the_smtp_server(
    app: Flask, client_for: Callable[[str], Client], smtp_server: SmtpServer, database: DatabaseUnderTest
) -> None:
    use_smtp(app, smtp_server.port)
    app.extensions["complaintflow_channels"] = dataclasses.replace(
        app.extensions["complaintflow_channels"], smtp_user=None, smtp_password=None
    )
    admin = client_for("admin")
    assert admin.post("/admin/mail/test", {"to": "it@example.org"}).status_code == 302
    assert "Test message sent to it@example.org." in admin.get("/admin/mail/").get_data(as_text=True)
    [message] = smtp_server.recorder.to("it@example.org")
    assert message["Subject"] == "Test message from complaintflow"
    with database.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "mail_test_sent")).one()
        assert entry.actor == "admin" and entry.after == {"to": "it@example.org"}


def test_a_failing_server_is_reported_in_german(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    use_smtp(app, free_port())  # nobody listens there
    admin = client_for("admin")
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    assert admin.post("/admin/mail/test", {"to": "it@example.org"}).status_code == 302
    page = admin.get("/admin/mail/").get_data(as_text=True)
    assert "Die Testnachricht konnte nicht gesendet werden" in page
    assert admin.post("/admin/mail/test", {"to": ""}).status_code == 422
    with database.session() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "mail_test_failed")).one().actor == "admin"


def test_only_admins_see_the_mail_settings(client_for: Callable[[str], Client]) -> None:
    for name in ("agent", "lead", "manager", "designer"):
        client = client_for(name)
        assert client.get("/admin/mail/").status_code == 403
        assert client.post("/admin/mail/test", {"to": "x@example.org"}).status_code == 403
