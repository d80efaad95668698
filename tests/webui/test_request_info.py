"""Requesting information from the customer drives the process: wait with the SLA paused, resume on the answer."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import select

from engine.domain.actors import SYSTEM
from engine.domain.status_links import status_token
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import case_queries
from engine.store.casework import CaseNote
from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry, MessageSubscription, ProcessInstance
from engine.store.outbox import OutboxMessage
from processes import MAIN_PROCESS
from tests.conftest import DatabaseUnderTest
from tests.notifications.web_support import PortalClient
from tests.processes.support import deploy_library
from tests.webui.support import Client, Seeded

PDF = b"%PDF-1.4\n%%EOF\n"
QUESTION = "Please send us a photo of the invoice with both bookings."


def library_complaint(database: DatabaseUnderTest, now: datetime, email: str | None = "erika@example.org") -> str:
    with database.session() as session:
        deploy_library(session, now - timedelta(days=1))
        complaint = open_complaint(
            session, SYSTEM,
            NewComplaint("Erika Muster", "Invoice twice", "The invoice was booked twice.", "email",
                         customer_email=email, category="billing", amount_disputed=Decimal(20), language="en"),
            MAIN_PROCESS, now - timedelta(hours=1),
        )  # fmt: skip
        return complaint.reference


def _complaint(database: DatabaseUnderTest, reference: str) -> Complaint:
    with database.session() as session:
        return session.scalars(select(Complaint).where(Complaint.reference == reference)).one()


def _open_tasks(database: DatabaseUnderTest, reference: str) -> list[tuple[str, str | None]]:
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        return [(task.element_id, task.assignee) for task in case_queries.open_tasks_of(session, complaint)]


def test_the_full_loop_through_the_process_and_the_portal(
    app: Flask, client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    reference = library_complaint(database, now)
    agent = client_for("agent")
    page = agent.text(f"/cases/{reference}")
    assert "Ask the customer and wait" in page and "Completes the step “Handle complaint”" in page
    # Others may not: the designer has no case page, the department no reason to see it, a forged form no CSRF.
    assert client_for("designer").post(f"/cases/{reference}/request-info", {"question": QUESTION}).status_code == 403
    assert client_for("dept").post(f"/cases/{reference}/request-info", {"question": QUESTION}).status_code == 404
    assert agent.post(f"/cases/{reference}/request-info", {"question": QUESTION}, csrf=False).status_code == 400

    # The task form's rule (at least 10 characters) applies, the text stays.
    short = agent.post(f"/cases/{reference}/request-info", {"question": "Photo?"})
    assert short.status_code == 422 and "must have at least 10 characters" in short.get_data(as_text=True)
    assert "Photo?</textarea>" in short.get_data(as_text=True)
    assert _open_tasks(database, reference) == [("handle_complaint", None)]

    response = agent.post(f"/cases/{reference}/request-info", {"question": QUESTION})
    assert response.status_code == 302 and response.location.endswith(f"/cases/{reference}#timeline")
    complaint = _complaint(database, reference)
    assert (complaint.status, complaint.sla_paused_at) == ("waiting_customer", now)
    assert _open_tasks(database, reference) == []
    with database.session() as session:
        instance = session.get(ProcessInstance, complaint.instance_id)
        assert instance is not None and instance.status == "waiting"
        waits = session.scalars(select(MessageSubscription.message_name).where(
            MessageSubscription.correlation_key == reference)).all()  # fmt: skip
        assert waits == ["customer_info_received"]
        update = (OutboxMessage.kind == "email") & (OutboxMessage.topic == "complaint_update")
        mail = session.scalars(select(OutboxMessage).where(update)).one()
        assert mail.recipient == "erika@example.org"
        actions = session.scalars(select(AuditEntry).where(AuditEntry.instance_id == complaint.instance_id)).all()
        asked = next(entry for entry in actions if entry.action == "customer_info_requested")
        assert (asked.actor, asked.message, asked.after["via"]) == ("agent", QUESTION, "process")
        completed = next(
            entry for entry in actions if (entry.action, entry.element_id) == ("task_completed", "handle_complaint")
        )
        assert completed.actor == "agent" and completed.task_id == asked.task_id
        assert "sla_paused" in {entry.action for entry in actions}
    page = agent.text(f"/cases/{reference}")
    assert "Question to the customer" in page and QUESTION in page
    assert "waiting for the customer’s answer" in page and "Clock paused since" in page

    # A further question while it waits goes out by e-mail; the process keeps waiting.
    again = agent.post(f"/cases/{reference}/request-info", {"question": "And the order number, please."})
    assert again.status_code == 302
    with database.session() as session:
        follow_up = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "customer_info_request")).one()
        assert follow_up.recipient == "erika@example.org" and follow_up.body == "And the order number, please."
    assert _complaint(database, reference).status == "waiting_customer"

    # The customer answers on the private status page with a file.
    secret = app.extensions["complaintflow_channels"].secret_key
    customer = PortalClient(app)
    answer = customer.post(
        f"/portal/status/{reference}/{status_token(secret, reference)}/info",
        {
            "text": "Photo attached, order 4711.",
            "attachments": [(io.BytesIO(PDF), "invoice photo.pdf", "application/pdf")],
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    complaint = _complaint(database, reference)
    assert complaint.status == "open" and complaint.sla_paused_at is None
    # The answer comes back to the agent who asked, not unassigned to the group.
    assert _open_tasks(database, reference) == [("handle_complaint", "agent")]
    assert reference in agent.text("/tasks/mine")

    page = agent.text(f"/cases/{reference}")
    assert "Photo attached, order 4711." in page and "invoice photo.pdf" in page
    link = re.search(rf'href="(/cases/{reference}/attachments/\d+)"', page)
    assert link is not None
    download = agent.get(link.group(1))
    assert download.status_code == 200 and download.data == PDF
    with database.session() as session:
        row = session.scalars(select(CustomerAttachment)).one()
        note = session.get(CaseNote, row.note_id)
        assert note is not None and note.kind == "customer_message" and row.source == "web"


def test_from_the_task_page_and_where_the_process_cannot_wait(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    reference = library_complaint(database, now)
    agent, colleague = client_for("agent"), client_for("agent2")
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        task_id = case_queries.open_tasks_of(session, complaint)[0].id
    assert agent.post(f"/task/{task_id}/claim").status_code == 302
    # A colleague of the same group sees who holds the step and gets no form.
    page = colleague.text(f"/cases/{reference}")
    assert "The step “Handle complaint” is assigned to agent" in page and "Ask the customer and wait" not in page
    refused = colleague.post(f"/cases/{reference}/request-info", {"question": QUESTION})
    assert refused.status_code == 422 and "assigned to agent" in refused.get_data(as_text=True)

    task_page = agent.text(f"/task/{task_id}")
    assert f'name="task_id" type="hidden" value="{task_id}"' in task_page or f'value="{task_id}"' in task_page
    response = agent.post(f"/cases/{reference}/request-info", {"question": QUESTION, "task_id": task_id})
    assert response.status_code == 302 and response.location.endswith(f"/cases/{reference}#timeline")
    assert _complaint(database, reference).status == "waiting_customer"


def test_without_an_e_mail_address_nothing_waits(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    reference = library_complaint(database, now, email=None)
    agent = client_for("agent")
    response = agent.post(f"/cases/{reference}/request-info", {"question": QUESTION})
    assert response.status_code == 422
    assert "the customer has no e-mail address" in response.get_data(as_text=True)
    assert _open_tasks(database, reference) == [("handle_complaint", None)]


def test_german_texts(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    # The demo department member reads German; the basic process cannot wait for the customer.
    page = client_for("dept").text(f"/cases/{seeded.complaints['big']}")
    assert "Informationen beim Kunden anfordern" in page and "der nicht auf den Kunden warten kann" in page


def test_where_the_process_is_elsewhere_the_page_says_so_and_nothing_is_sent(
    client_for: Callable[[str], Client], seeded: Seeded, database: DatabaseUnderTest, now: datetime
) -> None:
    reference = library_complaint(database, now)
    agent = client_for("agent")
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.reference == reference)).one()
        task_id = case_queries.open_tasks_of(session, complaint)[0].id
    done = agent.post(
        f"/task/{task_id}/complete", {"f_next_step": "resolve", "f_customer_message": "We are on it and decide today."}
    )
    assert done.status_code == 302
    assert _open_tasks(database, reference) == [("propose_resolution", "agent")]
    page = agent.text(f"/cases/{reference}")
    assert "The process is at “Decide resolution”, which cannot wait for the customer." in page
    assert "Ask the customer and wait" not in page
    refused = agent.post(f"/cases/{reference}/request-info", {"question": QUESTION})
    assert refused.status_code == 422 and "which cannot wait for the customer" in refused.get_data(as_text=True)
    assert f"{QUESTION}</textarea>" in refused.get_data(as_text=True)  # the typed question is kept to copy
    with database.session() as session:
        assert session.scalars(select(CaseNote).where(CaseNote.kind == "info_request")).all() == []
        asked = select(AuditEntry).where(AuditEntry.action == "customer_info_requested")
        assert session.scalars(asked).all() == []
    assert _complaint(database, reference).status != "waiting_customer"
