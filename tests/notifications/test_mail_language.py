"""Mails come from the UI's catalogue in each recipient's language: task names as the diagram translates them,
plural forms for counts, priorities as the pages name them, and the in-app list in the user's language too."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from engine.bpmn.diagram_texts import read_translations
from engine.services.delivery.outbox import enqueue
from engine.store.channels import InAppNotification
from engine.store.models import HumanTask
from notifications.rendering import render_mail
from tests.conftest import DatabaseUnderTest
from tests.engine.helpers import deploy_paths
from tests.notifications.helpers import Clock, SmtpServer, add_user, channel_settings, dispatcher, open_test_complaint
from tests.sla.test_sla_targets_admin import PROCESSES


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def test_staff_mails_name_the_task_in_each_recipients_language_with_plural_forms(
    database: DatabaseUnderTest, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        deploy_paths(session, now, *sorted(PROCESSES.glob("*.bpmn")), *sorted(PROCESSES.glob("*.dmn")))
        complaint = open_test_complaint(session, now, language="de", process_key="complaint_handling")
        task = session.scalars(select(HumanTask).where(HumanTask.instance_id == complaint.instance_id)).first()
        assert task is not None
        german = {}
        for path in PROCESSES.glob("*.bpmn"):
            german.update(read_translations(path.read_text("utf-8")).get("de", {}))
        german_name = german[task.element_id]
        assert german_name != task.title
        add_user(session, now, "anna", email_address="anna@example.org", language="de")
        add_user(session, now, "bob", email_address="bob@example.org", language="en")
        for recipient, hours in (("anna", 3), ("bob", 3), ("anna", 1)):
            enqueue(session, now, kind="email", topic="sla_reminder", recipient=recipient,
                    complaint_id=complaint.id, instance_id=complaint.instance_id,
                    payload={"task_id": task.id, "task_title": task.title, "priority": "high",
                             "due_at": (now + timedelta(hours=hours, minutes=5)).isoformat()})  # fmt: skip
        enqueue(session, now, kind="email", topic="task_assigned", recipient="anna", complaint_id=complaint.id,
                payload={"task_id": task.id, "task_title": task.title, "priority": "critical"})  # fmt: skip
        session.commit()
        title = task.title

    report = dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()
    assert report.failed == 0 and report.sent >= 4  # the process mails the customer its receipt too
    anna = smtp_server.recorder.to("anna@example.org")
    reminders = sorted(_text(m) for m in anna if m["X-Complaintflow-Event"] == "sla_reminder")
    subjects = {m["Subject"] for m in anna}
    assert f"Erinnerung: {german_name} ({complaint.reference})" in subjects
    assert any("Das ist in 3 Stunden." in text for text in reminders), reminders
    assert any("Das ist in 1 Stunde." in text for text in reminders), reminders
    assert all(f"„{german_name}“" in text and title not in text for text in reminders)
    (assigned,) = [_text(m) for m in anna if m["X-Complaintflow-Event"] == "task_assigned"]
    assert "Priorität: Kritisch" in assigned and "Hallo Anna," in assigned
    (english,) = smtp_server.recorder.to("bob@example.org")
    assert english["Subject"] == f"Reminder: {title} ({complaint.reference})"
    assert "That is in 3 hours." in _text(english) and "Hello Bob," in _text(english)
    with database.session() as session:
        listed = {n.username: n.subject for n in session.scalars(select(InAppNotification))}
    assert listed["anna"].startswith("Erinnerung:") or listed["anna"].startswith("Neue Aufgabe:")
    assert listed["bob"].startswith("Reminder:")


def test_customer_words_come_from_the_catalogue() -> None:
    values = {"reference": "C-1", "status_label": "in Bearbeitung", "status_link": "https://x.test/s",
              "sender_name": "Service", "recipient_name": "Erika", "complaint_subject": "Kessel"}  # fmt: skip
    german = render_mail("status_changed", "de", values)
    assert german.subject == "Ihre Reklamation C-1: in Bearbeitung"
    assert german.text.startswith("Guten Tag Erika,\n\nder Stand Ihrer Reklamation C-1 hat sich geändert")
    assert '<html lang="de">' in german.html and "Vorgangsnummer: C-1" in german.html
    english = render_mail("status_changed", "en", {**values, "status_label": "being looked into"})
    assert english.text.startswith("Dear Erika,\n\nthe status of your complaint C-1 has changed: being looked into.")
    # Values are escaped in HTML, also inside translated sentences.
    hostile = render_mail("complaint_received", "de", {**values, "complaint_subject": "<script>x</script>"})
    assert "<script>" not in hostile.html and "&lt;script&gt;" in hostile.html
