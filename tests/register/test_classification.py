"""The classification the register and the returns need: product group, redress currency, response dates and
whether the final response came within the legal deadline, recorded by the shipped process and kept on the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from engine.domain.classification import valid_currency, within_deadline
from engine.domain.errors import FormValidationError
from engine.services.casework.responses import record_response, set_legal_deadline
from engine.store.complaints import Complaint
from tests.processes.support import ANNA, Case

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_within_deadline_needs_both_dates() -> None:
    assert within_deadline(None, T0) is None
    assert within_deadline(T0, None) is None
    assert within_deadline(T0, T0) is True  # on the deadline itself is in time
    assert within_deadline(T0 + timedelta(seconds=1), T0) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("eur", "EUR"), (" GBP ", "GBP"), ("EURO", None), ("€", None), ("", None), (None, None), ("E1R", None)],
)
def test_currency_is_three_letters(raw: object, expected: str | None) -> None:
    assert valid_currency(raw) == expected


def test_first_acknowledgement_counts_last_final_response_counts() -> None:
    complaint = Complaint(created_at=T0 - timedelta(days=1))
    assert record_response(complaint, "acknowledgement", T0) is True
    assert record_response(complaint, "acknowledgement", T0 + timedelta(days=1)) is False
    assert complaint.acknowledged_at == T0
    record_response(complaint, "final", T0 + timedelta(days=3))
    record_response(complaint, "final", T0 + timedelta(days=9))  # after a reopening
    assert complaint.final_response_at == T0 + timedelta(days=9)
    assert complaint.within_legal_deadline is None  # no pack set a legal deadline
    set_legal_deadline(complaint, T0 + timedelta(days=8))
    assert complaint.within_legal_deadline is False
    set_legal_deadline(complaint, T0 + timedelta(days=9))
    assert complaint.within_legal_deadline is True
    with pytest.raises(ValueError, match="unknown response"):
        record_response(complaint, "reminder", T0)


def test_shipped_process_records_the_register_fields(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    assert case.complaint.acknowledged_at == now  # the receipt went out in the opening step
    case.answer_and_resolve(resolution_type="refund", amount="80", outcome="partly_upheld")
    resolved_at = case.now
    case.give_feedback(csat="4")
    case.complete(ANNA, "close_complaint", {"root_cause": "billing_error", "product_group": "payment_services"})
    complaint = case.complaint
    assert (complaint.outcome, complaint.root_cause, complaint.product_group) == (
        "partly_upheld", "billing_error", "payment_services",
    )  # fmt: skip
    assert complaint.final_response_at == resolved_at  # "Inform customer of outcome" is the final response
    assert complaint.holding_response_at is None
    assert str(complaint.resolution_amount) == "80.00"


def test_unknown_product_group_is_refused_by_the_form(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()
    case.give_feedback(csat="4")
    with pytest.raises(FormValidationError, match="product_group"):
        case.complete(ANNA, "close_complaint", {"root_cause": "billing_error", "product_group": "cars"})
    session.rollback()
    assert case.complaint.product_group is None


def test_no_acknowledgement_date_without_an_address(session: Session, now: datetime) -> None:
    case = Case.open(session, now, channel="phone", customer_email=None)
    assert case.complaint.acknowledged_at is None  # the agent must still acknowledge on the phone
