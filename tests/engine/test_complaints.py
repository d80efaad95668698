"""Opening a complaint records customer and complaint rows and starts its process in one commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.domain.errors import FormValidationError, NotFound
from engine.services.intake.complaints import NewComplaint, get_complaint, open_complaint
from engine.store.complaints import Complaint, Customer
from tests.engine.helpers import ANNA, BASIC, deploy_paths, only_task


def new(**overrides: object) -> NewComplaint:
    values: dict[str, object] = {
        "customer_name": "Erika Mustermann",
        "customer_email": "Erika@Example.org",
        "subject": "Falsche Rechnung",
        "description": "Die Rechnung 4711 ist doppelt abgebucht.",
        "channel": "email",
        "category": "billing",
        "amount_disputed": Decimal("1200.00"),
    }
    values.update(overrides)
    return NewComplaint(**values)  # type: ignore[arg-type]


def test_open_complaint_starts_the_process_and_copies_the_classification(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    complaint = open_complaint(session, ANNA, new(), "complaint_basic", now)
    assert complaint.reference == f"C-2026-{complaint.id:06d}"
    assert complaint.instance is not None and complaint.instance.business_key == complaint.reference
    assert (complaint.status, complaint.priority, complaint.responsible_group) == ("open", "high", "second_level")
    assert complaint.customer.email == "erika@example.org"
    task = only_task(session, complaint.instance.id)
    assert task.candidate_groups == ["second_level"]
    variables = complaint.instance.variables
    assert (variables["complaint_id"], variables["amount"], variables["channel"]) == (
        complaint.reference,
        1200.0,
        "email",
    )


def test_same_email_is_the_same_customer(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    first = open_complaint(session, ANNA, new(), "complaint_basic", now)
    second = open_complaint(
        session, ANNA, new(customer_email="erika@example.org", subject="Noch einmal"), "complaint_basic", now
    )
    assert first.customer_id == second.customer_id
    assert session.scalar(select(func.count()).select_from(Customer)) == 1
    assert get_complaint(session, second.reference).subject == "Noch einmal"
    with pytest.raises(NotFound):
        get_complaint(session, "C-1999-000001")


def test_bad_input_is_rejected_and_nothing_is_stored(session: Session, now: datetime) -> None:
    deploy_paths(session, now, *BASIC)
    with pytest.raises(FormValidationError) as error:
        open_complaint(
            session, ANNA, new(subject=" ", channel="pigeon", amount_disputed=Decimal(-1)), "complaint_basic", now
        )
    assert set(error.value.errors) == {"subject", "channel", "amount_disputed"}
    with pytest.raises(NotFound):
        open_complaint(session, ANNA, new(), "no_such_process", now)
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0
