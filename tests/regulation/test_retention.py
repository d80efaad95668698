"""DISP 1.9 record retention overrides the retention clean-up; an erasure request in that time keeps the record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.actors import Actor
from engine.domain.roles import ROLE_ADMIN
from engine.services.privacy.erasure import erase_customer
from engine.services.privacy.retention import run_retention
from engine.store.complaints import Complaint
from engine.store.models import AuditEntry
from engine.store.regulation import RegulatoryLetter
from tests.processes.support import ANNA, Case

ADMIN = Actor("admin", roles=frozenset({ROLE_ADMIN}))


def _settled(session: Session, now: datetime, **overrides: object) -> Case:
    """A complaint answered, closed, and its process ended (30 days of possible reopening later)."""
    case = Case.open(session, now, amount_disputed=None, **overrides)
    case.answer_and_resolve(ANNA, amount="20")
    case.give_feedback(csat=4, nps=8)
    case.close(ANNA)
    case.fire_timers_at(case.now + timedelta(days=31))
    assert case.instance.status == "completed"
    return case


def test_the_clean_up_skips_a_complaint_until_its_legal_retention_ends(session: Session, now: datetime) -> None:
    case = _settled(session, now, product_group="payment_services")
    # Received Monday 2026-11-23 09:00: three years (DISP 1.9.1 R) end on 2029-11-23 09:00.
    report = run_retention(session, ADMIN, 30, datetime(2027, 6, 1, tzinfo=UTC))
    [candidate] = report.candidates
    assert candidate.skipped is not None and candidate.skipped.startswith(
        "kept until 2029-11-23 (fca_psd: FCA Handbook"
    )
    assert report.done == [] and case.complaint.pseudonymised_at is None
    report = run_retention(session, ADMIN, 30, datetime(2029, 11, 23, 9, 1, tzinfo=UTC))
    assert report.done == [case.reference] and case.complaint.pseudonymised_at is not None


def test_erasure_during_retention_keeps_the_record_and_says_why(session: Session, now: datetime) -> None:
    held = _settled(session, now, product_group="payment_services")
    free = _settled(session, held.now + timedelta(days=1))  # the same customer, a shop complaint without a pack
    customer_id = held.complaint.customer_id
    result = erase_customer(session, ADMIN, customer_id, free.now + timedelta(days=1))
    assert [(hold.reference, hold.pack, hold.until) for hold in result.kept] == [
        (held.reference, "fca_psd", datetime(2029, 11, 23, 9, 0, tzinfo=UTC))
    ]
    kept = session.get(Complaint, held.complaint.id)
    gone = session.get(Complaint, free.complaint.id)
    assert kept is not None and gone is not None
    session.refresh(kept)
    session.refresh(gone)
    assert kept.pseudonymised_at is None and kept.description.startswith("Die Rechnung 4711")
    assert gone.pseudonymised_at is not None
    # The contact data the record does not need goes; the name stays on the record with the letters.
    assert (kept.customer.email, kept.customer.phone, kept.customer.name) == (None, None, "Erika Mustermann")
    letters = session.scalars(select(RegulatoryLetter).where(RegulatoryLetter.complaint_id == kept.id)).all()
    assert [letter.letter for letter in letters] == ["acknowledgement", "final_response"]
    [restricted] = session.scalars(select(AuditEntry).where(AuditEntry.action == "erasure_restricted")).all()
    assert restricted.after["kept"][0]["reference"] == held.reference
    assert restricted.after["kept"][0]["source"].startswith("FCA Handbook DISP 1.9.1 R")
    assert restricted.after["erased"] == ["email", "phone"]
