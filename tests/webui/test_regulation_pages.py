"""The regulation packs in the web UI: legal deadlines on the case page and the task list, letters to view, print
and download as PDF, the reason for a missed deadline; in English and German."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain.actors import SYSTEM
from engine.services.intake.complaints import open_complaint
from engine.services.regulation.clock import sweep
from engine.store.regulation import RegulatoryDeadline, RegulatoryLetter
from processes import MAIN_PROCESS
from tests.conftest import DatabaseUnderTest
from tests.processes.support import deploy_library, new_complaint
from tests.webui.support import Client


@pytest.fixture
def payment_case(database: DatabaseUnderTest, now: datetime) -> str:
    """A payment-service complaint received on Monday 2026-11-16, a week before the test's now (Monday 23rd)."""
    with database.session() as session:
        deploy_library(session, now - timedelta(days=8))
        complaint = open_complaint(
            session, SYSTEM, new_complaint(product_group="payment_services", language="en", amount_disputed=None),
            MAIN_PROCESS, now - timedelta(days=7),
        )  # fmt: skip
        return complaint.reference


def test_the_case_page_shows_the_legal_deadline_and_the_letters(
    client_for: Callable[[str], Client], payment_case: str
) -> None:
    agent = client_for("agent")
    page = agent.text(f"/cases/{payment_case}")
    # Received 16 Nov; 15 business days -> Monday 7 December; from Monday 23 November that is 10 business days.
    assert "Legal deadlines" in page and "FCA final response" in page and "due in 10 business days" in page
    assert "Acknowledgement (DISP 1.6.1 R)" in page and "to erika@example.org" in page
    assert "waiting to be sent" in page


def test_the_task_list_shows_the_nearest_legal_deadline_in_german(
    client_for: Callable[[str], Client], payment_case: str
) -> None:
    agent = client_for("agent")
    page = agent.text("/tasks/groups")
    assert "FCA final response due in 10 business days" in page
    assert agent.post("/profile/", {"language": "de"}).status_code == 302
    page = agent.text("/tasks/groups")
    assert "FCA-Abschlussantwort fällig in 10 Geschäftstagen" in page
    case = agent.text(f"/cases/{payment_case}")
    assert "Gesetzliche Fristen" in case and "fällig in 10 Geschäftstagen" in case
    assert "Eingangsbestätigung (DISP 1.6.1 R)" in case and "Ansehen und drucken" in case


def test_a_letter_opens_as_sent_and_as_pdf(
    database: DatabaseUnderTest, client_for: Callable[[str], Client], payment_case: str
) -> None:
    with database.session() as session:
        letter = session.scalars(select(RegulatoryLetter)).one()
        letter_id, html = letter.id, letter.html
    agent = client_for("agent")
    view = agent.get(f"/cases/{payment_case}/letters/{letter_id}")
    assert view.status_code == 200 and view.get_data(as_text=True) == html
    assert "script-src" not in view.headers["Content-Security-Policy"]
    pdf = agent.get(f"/cases/{payment_case}/letters/{letter_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert agent.get(f"/cases/{payment_case}/letters/{letter_id + 1000}").status_code == 404


def test_the_reason_for_a_missed_deadline_is_recorded_from_the_case_page(
    database: DatabaseUnderTest, client_for: Callable[[str], Client], payment_case: str, now: datetime
) -> None:
    with database.session() as session:
        assert sweep(session, now + timedelta(days=20)) == (1, 1)
        deadline_id = session.scalars(select(RegulatoryDeadline.id)).one()
    lead = client_for("lead")
    page = lead.text(f"/cases/{payment_case}")
    assert "missed: due" in page and "Why was the deadline missed?" in page
    refused = lead.post(f"/cases/{payment_case}/deadlines/{deadline_id}/reason", {"reason": ""})
    assert refused.status_code == 302
    response = lead.post(f"/cases/{payment_case}/deadlines/{deadline_id}/reason", {"reason": "Card scheme was late."})
    assert response.status_code == 302
    page = lead.text(f"/cases/{payment_case}")
    assert "Card scheme was late." in page
