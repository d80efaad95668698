"""E-mail intake end to end: a mail to the SMTP listener opens a complaint; the reply continues the process."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.store.casework import NOTE_CUSTOMER_MESSAGE, CaseNote
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint
from engine.store.models import HumanTask
from notifications import mail_intake
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import Clock, SmtpServer, channel_settings, dispatcher, free_port

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def listener(database: DatabaseUnderTest, process: None, clock: Clock) -> Iterator[Controller]:
    settings = channel_settings(
        free_port(), intake_port=free_port(), intake_process="customer_wait", max_attachment_bytes=1024
    )
    controller = mail_intake.smtp_listener(database.sessions, settings, clock)
    controller.start()
    yield controller
    controller.stop()


def _mail(
    sender: str,
    subject: str,
    *,
    text: str | None = None,
    html: str | None = None,
    message_id: str | None = None,
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "complaints@example.org"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    return message


def _send(controller: Controller, message: EmailMessage) -> None:
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.send_message(message)


def _complaints(database: DatabaseUnderTest) -> list[Complaint]:
    with database.session() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def test_mail_opens_a_complaint_and_the_reply_continues_the_process(
    database: DatabaseUnderTest, listener: Controller, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    first = _mail(
        "Erika Muster <Erika@Example.org>",
        "Kettle broken",
        html='<p>It broke.<script>alert("x")</script></p><img src=x onerror="alert(1)"><p>Please help</p>',
        message_id="<m1@customer.example.org>",
    )
    first.add_attachment(PDF, maintype="application", subtype="pdf", filename="../../receipt.pdf")
    _send(listener, first)

    (complaint,) = _complaints(database)
    assert (complaint.channel, complaint.subject) == ("email", "Kettle broken")
    assert "It broke." in complaint.description and "Please help" in complaint.description
    for hostile in ("<script", "alert", "onerror", "<img", "<p>"):
        assert hostile not in complaint.description
    with database.session() as session:
        stored = session.scalars(select(CustomerAttachment)).one()
        assert (stored.filename, stored.content, stored.source) == ("receipt.pdf", PDF, "email")

    # The receipt goes out through the dispatcher and carries the number the customer replies to.
    dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()
    (receipt,) = smtp_server.recorder.to("erika@example.org")
    assert complaint.reference in receipt["Subject"]

    _send(
        listener,
        _mail(
            "erika@example.org",
            f"Re: {receipt['Subject']}",
            text="The model is K-200.",
            message_id="<m2@customer.example.org>",
        ),
    )
    _send(
        listener,
        _mail(
            "erika@example.org",
            f"Re: {receipt['Subject']}",
            text="The model is K-200.",
            message_id="<m2@customer.example.org>",
        ),
    )  # redelivered by the sending server

    assert len(_complaints(database)) == 1
    with database.session() as session:
        notes = session.scalars(select(CaseNote).where(CaseNote.complaint_id == complaint.id)).all()
        assert [(note.kind, note.body) for note in notes] == [(NOTE_CUSTOMER_MESSAGE, "The model is K-200.")]
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == complaint.instance_id)).all()
        assert [(task.element_id, task.status) for task in tasks] == [("review_info", "open")]


def test_a_number_from_a_stranger_is_not_attached_to_that_complaint(
    database: DatabaseUnderTest, listener: Controller
) -> None:
    _send(listener, _mail("erika@example.org", "Kettle broken", text="It broke."))
    (complaint,) = _complaints(database)
    _send(listener, _mail("mallory@example.net", f"Re: {complaint.reference}", text="Close it, I am Erika."))
    with database.session() as session:
        complaints = session.scalars(select(Complaint).order_by(Complaint.id)).all()
        assert [c.customer.email for c in complaints] == ["erika@example.org", "mallory@example.net"]
        assert session.scalars(select(CaseNote)).all() == []


@pytest.mark.parametrize(
    ("filename", "maintype", "subtype", "content", "reason"),
    [
        ("big.pdf", "application", "pdf", b"%PDF-" + b"x" * 2048, "larger than"),
        ("invoice.pdf", "application", "pdf", b"<html><script>alert(1)</script></html>", "not a application/pdf"),
        ("setup.exe", "application", "octet-stream", b"MZ\x90\x00", "not accepted"),
    ],
)
def test_oversized_or_wrongly_typed_attachments_are_refused(
    database: DatabaseUnderTest,
    listener: Controller,
    filename: str,
    maintype: str,
    subtype: str,
    content: bytes,
    reason: str,
) -> None:
    message = _mail("erika@example.org", "With attachment", text="See attached.")
    message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    with pytest.raises(smtplib.SMTPDataError) as error:
        _send(listener, message)
    assert error.value.smtp_code == 550 and reason in error.value.smtp_error.decode()
    assert _complaints(database) == []


def test_automatic_replies_are_ignored(database: DatabaseUnderTest, listener: Controller) -> None:
    _send(listener, _mail("erika@example.org", "Out of office", text="Back on Monday.", Auto_Submitted="auto-replied"))
    assert _complaints(database) == []


def test_header_injection_in_the_sender_name_cannot_reach_a_mail_header(
    database: DatabaseUnderTest, listener: Controller, smtp_server: SmtpServer, clock: Clock
) -> None:
    raw = (
        b"From: =?utf-8?q?Eve=0D=0ABcc=3A_victim=40example=2Eorg?= <eve@example.org>\r\n"
        b"To: complaints@example.org\r\nSubject: =?utf-8?q?Hi=0D=0ABcc=3A_victim=40example=2Eorg?=\r\n"
        b"Message-ID: <m9@example.org>\r\n\r\nBody\r\n"
    )
    with smtplib.SMTP(listener.hostname, listener.port, timeout=10) as client:
        client.sendmail("eve@example.org", ["complaints@example.org"], raw)
    with database.session() as session:
        complaint = session.scalars(select(Complaint)).one()
        assert "\n" not in complaint.subject and "\r" not in complaint.customer.name
    dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()
    assert all("victim" not in str(rcpt) for rcpt, _ in smtp_server.recorder.received)
    (receipt,) = smtp_server.recorder.messages()
    assert receipt["Bcc"] is None
