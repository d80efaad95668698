"""Each customer and staff event reaches a real SMTP server as text plus HTML, in the recipient's language."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest

from engine.domain.status_links import token_matches
from engine.services.delivery.outbox import enqueue
from engine.store.channels import InAppNotification
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import (
    SECRET,
    Clock,
    SmtpServer,
    add_user,
    channel_settings,
    dispatcher,
    open_test_complaint,
)

# topic -> (words in the subject, words in the text body), per language
CUSTOMER = {
    "en": {
        "complaint_received": ("We have received your complaint", "Your complaint has the number"),
        "information_requested": ("we need more information", "Which model is it?"),
        "status_changed": ("Your complaint", "has changed: being looked into"),
        "resolution": ("has been resolved", "Outcome: we agree with you"),
        "survey_invitation": ("How did we do?", "how satisfied you are"),
        "reopen_confirmation": ("has been reopened", "will look at it again"),
        "customer_reply": ("About your kettle", "Which model is it?"),
    },
    "de": {
        "complaint_received": ("Wir haben Ihre Reklamation", "Ihre Reklamation hat die Nummer"),
        "information_requested": ("Wir benötigen weitere Informationen", "Which model is it?"),
        "status_changed": ("Ihre Reklamation", "hat sich geändert: in Bearbeitung"),
        "resolution": ("ist erledigt", "Ergebnis: berechtigt"),
        "survey_invitation": ("Wie zufrieden waren Sie?", "wie zufrieden Sie sind"),
        "reopen_confirmation": ("wieder geöffnet", "sehen sie uns erneut an"),
        "customer_reply": ("About your kettle", "Which model is it?"),
    },
}
STAFF = {
    "en": {
        "task_assigned": ("New task: Check the kettle", "Due: 2026-11-24 10:00 CET"),
        "high_priority": ("High priority complaint", "needs attention now"),
        "sla_reminder": ("Reminder: Check the kettle", "is still open"),
        "sla_escalation": ("Escalated:", "was escalated to you"),
        "handover_received": ("Question about complaint", "Which model is it?"),
        "handover_answered": ("Answer about complaint", "Which model is it?"),
        "subtask_assigned": ("Subtask for you: About your kettle", "a subtask on complaint"),
    },
    "de": {
        "task_assigned": ("Neue Aufgabe: Check the kettle", "Fällig: 24.11.2026 10:00 CET"),
        "high_priority": ("mit hoher Priorität", "braucht sofort Aufmerksamkeit"),
        "sla_reminder": ("Erinnerung: Check the kettle", "ist noch offen"),
        "sla_escalation": ("Eskaliert:", "wurde an Sie eskaliert"),
        "handover_received": ("Rückfrage zur Reklamation", "Which model is it?"),
        "handover_answered": ("Antwort zur Reklamation", "Which model is it?"),
        "subtask_assigned": ("Teilaufgabe für Sie: About your kettle", "eine Teilaufgabe zur Reklamation"),
    },
}


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "every mail has a text and an HTML part"
    return text.get_content(), html.get_content()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_event_mails_text_and_html_in_the_recipients_language(
    database: DatabaseUnderTest, process: None, smtp_server: SmtpServer, clock: Clock, now: datetime, lang: str
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now, language=lang, name="Erika <b>Muster</b>")
        complaint.outcome = "upheld"
        add_user(session, now, "anna", email_address="anna@example.org", language=lang)
        for topic in CUSTOMER[lang]:
            enqueue(
                session,
                now,
                kind="email",
                topic=topic,
                recipient="erika@example.org",
                subject="About your kettle",
                body="Which model is it?",
                complaint_id=complaint.id,
                instance_id=complaint.instance_id,
            )
        for topic in STAFF[lang]:
            enqueue(
                session,
                now,
                kind="email",
                topic=topic,
                recipient="anna",
                subject="About your kettle",
                body="Which model is it?",
                complaint_id=complaint.id,
                instance_id=complaint.instance_id,
                payload={
                    "task_title": "Check the kettle",
                    "task_id": "t-1",
                    "due_at": (now + timedelta(days=1)).isoformat(),
                },
            )
        session.commit()
        reference = complaint.reference

    report = dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()

    assert (report.sent, report.retrying, report.failed) == (14, 0, 0)
    by_topic = {message["X-Complaintflow-Event"]: message for message in smtp_server.recorder.messages()}
    assert len(smtp_server.recorder.messages()) == 14
    for topic, (subject_words, text_words) in CUSTOMER[lang].items():
        message = by_topic[topic]
        assert message["To"].addresses[0].addr_spec == "erika@example.org"
        assert subject_words in message["Subject"], (topic, message["Subject"])
        text, html = _parts(message)
        assert text_words in text, (topic, text)
        assert "/cases/" not in text, "customers never get staff links"
        assert "<b>Muster</b>" not in html and "&lt;b&gt;Muster&lt;/b&gt;" in html or topic == "customer_reply"
    for topic, (subject_words, text_words) in STAFF[lang].items():
        message = by_topic[topic]
        assert message["To"].addresses[0].addr_spec == "anna@example.org"
        assert subject_words in message["Subject"], (topic, message["Subject"])
        text, _html = _parts(message)
        assert text_words in text, (topic, text)
        assert "/portal/status/" not in text, "the customer's private link never goes to staff"

    receipt, _ = _parts(by_topic["complaint_received"])
    match = re.search(r"https://complaints\.example\.org/portal/status/([^/\s]+)/(\S+)", receipt)
    assert match and match.group(1) == reference
    assert token_matches(SECRET, reference, match.group(2))
    survey, _ = _parts(by_topic["survey_invitation"])
    assert f"/portal/status/{reference}/{match.group(2)}/rate" in survey
    task_mail, _ = _parts(by_topic["task_assigned"])
    assert "https://complaints.example.org/task/t-1" in task_mail
    with database.session() as session:
        listed = session.query(InAppNotification).filter_by(username="anna").count()
    assert listed == len(STAFF[lang]), "staff events are in the notification list too"


def test_an_unknown_topic_uses_the_generic_template(
    database: DatabaseUnderTest, process: None, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now, language="de")
        enqueue(
            session,
            now,
            kind="email",
            topic="parcel_tracking_update",
            recipient="erika@example.org",
            subject="Ihr Paket ist unterwegs",
            body="Sendungsnummer 123",
            complaint_id=complaint.id,
        )
        session.commit()
    dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()
    (message,) = smtp_server.recorder.messages()
    assert message["Subject"] == "Ihr Paket ist unterwegs"
    text, _ = _parts(message)
    assert "Guten Tag Erika Muster" in text and "Sendungsnummer 123" in text


def test_the_process_librarys_templates_carry_the_agents_text(
    database: DatabaseUnderTest, process: None, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    variables = {"customer_message": "Wir erstatten 20 EUR.", "resolution_summary": "Erstattung von 20 EUR."}
    with database.session() as session:
        complaint = open_test_complaint(session, now, language="de")
        for topic in (
            "complaint_acknowledgement",
            "complaint_update",
            "complaint_resolved",
            "feedback_request",
            "complaint_closed_no_answer",
        ):
            enqueue(
                session,
                now,
                kind="email",
                topic=topic,
                recipient="erika@example.org",
                payload={"variables": variables},
                complaint_id=complaint.id,
            )
        session.commit()
    assert dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once().sent == 5
    by_topic = {m["X-Complaintflow-Event"]: m for m in smtp_server.recorder.messages()}
    assert "Wir haben Ihre Reklamation" in by_topic["complaint_acknowledgement"]["Subject"]
    assert "Wir erstatten 20 EUR." in _parts(by_topic["complaint_update"])[0]
    assert "Erstattung von 20 EUR." in _parts(by_topic["complaint_resolved"])[0]
    assert "/rate" in _parts(by_topic["feedback_request"])[0]
    assert "geschlossen" in by_topic["complaint_closed_no_answer"]["Subject"]
