"""The company name on letters and e-mails: an admin sets it in the browser (English and German), it is audited,
and the next letter and e-mail carry it; COMPLAINTFLOW_COMPANY_NAME is only the default."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.services import company
from engine.services.delivery.outbox import enqueue
from engine.store.database import COMPANY_NAME_DEFAULT
from engine.store.models import AuditEntry
from engine.store.regulation import RegulatoryLetter
from notifications.dispatcher import Dispatcher
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import channel_settings
from tests.processes.support import ADMIN, Case
from tests.register.conftest import app, client_for, seeded
from tests.webui.support import Client

__all__ = ["app", "client_for", "seeded"]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_admin_sets_the_company_name_in_the_browser(
    database: DatabaseUnderTest, client_for: Callable[[str], Client]
) -> None:
    admin = client_for("admin")
    page = admin.text("/admin/company/")
    assert "Complaint service" in page and "not set" in page  # nothing set: the letters' fallback
    assert admin.post("/admin/company/", {"company_name": "   "}).status_code == 422  # nothing lost, error shown
    assert admin.post("/admin/company/", {"company_name": "x" * 201}).status_code == 422
    response = admin.post("/admin/company/", {"company_name": "  Acme   Bank plc "})
    assert response.status_code == 302
    assert 'id="company-name-in-force">Acme Bank plc<' in admin.text("/admin/company/")
    with database.session() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "company_name_changed")).all()
        assert (entry.actor, entry.before, entry.after) == (
            "admin", {"company_name": None}, {"company_name": "Acme Bank plc"}
        )  # fmt: skip
    assert admin.post("/profile/", {"language": "de"}).status_code == 302
    german = admin.text("/admin/company/")
    assert "Firmenname" in german and "von einem Admin hier festgelegt" in german
    for user in ("agent", "manager", "designer"):
        assert client_for(user).get("/admin/company/").status_code == 403
        assert client_for(user).post("/admin/company/", {"company_name": "Evil"}).status_code == 403


def test_letters_and_mails_carry_the_name_in_force(session: Session, database: DatabaseUnderTest) -> None:
    # Default from COMPLAINTFLOW_COMPANY_NAME (the composition root hands it to every session).
    session.info[COMPANY_NAME_DEFAULT] = "Default Finance Ltd"
    assert company.company_name(session) == "Default Finance Ltd"
    first = Case.open(session, NOW, product_group="payment_services", language="en", amount_disputed=None)
    letter = session.scalars(select(RegulatoryLetter).where(RegulatoryLetter.complaint_id == first.complaint.id)).one()
    assert "Yours sincerely,<br>Default Finance Ltd" in letter.html
    company.set_company_name(session, ADMIN, "Acme Bank plc", NOW)
    second = Case.open(session, NOW, product_group="payment_services", language="de", amount_disputed=None)
    letter = session.scalars(select(RegulatoryLetter).where(RegulatoryLetter.complaint_id == second.complaint.id)).one()
    assert letter.html.count("Acme Bank plc") == 2  # letterhead and signature
    # An e-mail to the customer is signed with it too (the sender name is only the fallback).
    message = enqueue(
        session, NOW, kind="email", topic="complaint_received", recipient="erika@example.org",
        complaint_id=second.complaint.id, instance_id=second.instance.id,
    )  # fmt: skip
    mail = Dispatcher(database.sessions, channel_settings(2525), lambda: NOW).render(
        session, message, "Erika", "de", staff=False
    )
    assert "Acme Bank plc" in mail.text and "Complaint Service" not in mail.text
