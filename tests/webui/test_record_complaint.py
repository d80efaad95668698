"""Staff record a complaint received by phone, letter, in person or social media, or one they found (implicit)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from engine.store.channels import CustomerAttachment
from engine.store.complaints import Complaint, Customer
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.webui.support import Client

FORM = {
    "channel": "phone",
    "customer_name": "Peter Phone",
    "customer_email": "peter.phone@example.org",
    "customer_phone": "+49 30 1234567",
    "language": "en",
    "category": "delivery",
    "subject": "Courier left the parcel in the rain",
    "description": "Called at 10:12: the parcel was left outside and is soaked.",
}


def _basic_process(app: Flask) -> None:
    # The seeded test database deploys complaint_basic; `make run` deploys the default process (journey 4).
    settings = app.extensions["complaintflow_channels"]
    app.extensions["complaintflow_channels"] = replace(settings, intake_process="complaint_basic")


def _complaint(database: DatabaseUnderTest, subject: str) -> Complaint:
    with database.session() as session:
        complaint = session.scalars(select(Complaint).where(Complaint.subject == subject)).one()
        session.expunge(complaint)
        return complaint


def _receipts(database: DatabaseUnderTest, complaint_id: int) -> int:
    with database.session() as session:
        query = select(OutboxMessage.id).where(
            OutboxMessage.complaint_id == complaint_id, OutboxMessage.topic == "complaint_received"
        )
        return len(session.scalars(query).all())


def test_an_agent_records_a_phone_complaint_that_then_runs_like_any_other(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    _basic_process(app)
    agent = client_for("agent")
    assert 'href="/cases/new"' in agent.text("/tasks/mine")
    letter = (io.BytesIO(b"scanned letter, in words"), "letter.txt")
    response = agent.post("/cases/new", {**FORM, "files": letter}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    complaint = _complaint(database, FORM["subject"])
    assert response.location.endswith(f"/cases/{complaint.reference}")
    assert (complaint.channel, complaint.explicit, complaint.created_by) == ("phone", True, "agent")
    assert complaint.instance_id is not None and _receipts(database, complaint.id) == 1
    with database.session() as session:
        files = session.scalars(
            select(CustomerAttachment.filename).where(CustomerAttachment.complaint_id == complaint.id)
        )
        assert list(files) == ["letter.txt"]
    page = agent.text(response.location)
    assert f"Complaint {complaint.reference} recorded" in page and "Phone" in page
    # The timeline names the two intake events apart: the complaint recorded, and how it came in.
    timeline = page[page.index('id="timeline"') :]
    assert "Complaint recorded" in timeline and "Received via Phone" in timeline
    assert "Complaint received" not in timeline


def test_an_implicit_complaint_found_on_social_media_gets_no_receipt(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    _basic_process(app)
    lead = client_for("lead")
    form = {**FORM, "channel": "social_media", "implicit": "y", "subject": "Post: 'never again this shop'"}
    assert lead.post("/cases/new", form).status_code == 302
    complaint = _complaint(database, form["subject"])
    assert (complaint.channel, complaint.explicit, complaint.created_by) == ("social_media", False, "lead")
    assert _receipts(database, complaint.id) == 0


def test_bad_input_keeps_the_values_and_says_what_is_wrong_in_german(
    app: Flask, client_for: Callable[[str], Client], database: DatabaseUnderTest
) -> None:
    _basic_process(app)
    agent = client_for("agent")
    assert agent.post("/profile/", {"language": "de"}).status_code == 302
    response = agent.post("/cases/new", {**FORM, "channel": "", "subject": "", "customer_email": "not-a-mail"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Bitte korrigieren Sie die markierten Felder." in page and "Peter Phone" in page
    assert "ist keine E-Mail-Adresse" in page
    with database.session() as session:
        nothing = select(Complaint.id).join(Complaint.customer).where(Customer.name == FORM["customer_name"])
        assert session.scalars(nothing).all() == []


def test_who_may_record_a_complaint(client_for: Callable[[str], Client], anonymous: Client) -> None:
    assert anonymous.get("/cases/new").status_code == 302
    for role, status in {"agent": 200, "lead": 200, "manager": 200, "dept": 403, "designer": 403, "admin": 403}.items():
        assert client_for(role).get("/cases/new").status_code == status, role
