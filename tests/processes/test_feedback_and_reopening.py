"""After the resolution: feedback (received or timed out), closure, and reopening within the period."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from engine.domain.errors import NotFound
from tests.processes.support import ANNA, CUSTOMER_PORTAL, Case

SECOND = timedelta(seconds=1)


def test_feedback_received_then_closed(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()
    assert case.outbox()[-1] == ("feedback_request", "erika@example.org")

    case.give_feedback(csat="4", nps=9, feedback_comment="Schnell und freundlich.")
    complaint = case.complaint
    assert (complaint.csat, complaint.nps, complaint.feedback_comment) == (4, 9, "Schnell und freundlich.")
    assert case.variables["feedback_status"] == "received"
    close = case.task("close_complaint")
    assert (close.assignee, close.candidate_groups) == ("anna", ["agent"])  # the agent who handled it
    assert "await_feedback" not in case.pending_timers()

    case.close(ANNA, "billing_error")
    complaint = case.complaint
    assert (complaint.status, complaint.root_cause, complaint.closed_at) == ("closed", "billing_error", case.now)
    assert case.variables["lessons_learned"] == "Doppelte Abbuchungen automatisch erkennen."
    assert ("anna", "complaint_closed", "record_closure") in case.audit_actions()
    assert set(case.pending_timers()) == {"await_reopening"}


def test_feedback_out_of_range_is_not_stored(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()
    case.give_feedback(csat=9, nps="zehn")  # no comment at all
    complaint = case.complaint
    assert (complaint.csat, complaint.nps, complaint.feedback_comment) == (None, None, None)
    assert case.variables["feedback_status"] == "received"
    case.task("close_complaint")


def test_feedback_timed_out(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()
    asked_at = case.now
    assert case.pending_timers() == {"await_feedback": asked_at + timedelta(days=14)}
    assert case.fire_timers_at(asked_at + timedelta(days=14) + SECOND) == 1
    assert case.variables["feedback_status"] == "no_response"
    assert case.complaint.csat is None
    case.close(ANNA, "process_gap")
    assert case.complaint.status == "closed"
    # A late rating finds nobody waiting for it.
    with pytest.raises(NotFound):
        case.message("feedback_received", {"csat": 5}, days=1)


def test_reopened_within_the_period_and_closed_again(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    case.answer_and_resolve()
    case.give_feedback(csat=2, nps=3, feedback_comment="Gutschrift kam nie an.")
    case.close(ANNA, "billing_error")
    closed_at = case.now

    case.message("complaint_reopened", {"reopen_reason": "Die Gutschrift fehlt auf der Rechnung."}, days=5)
    complaint = case.complaint
    assert (complaint.status, complaint.closed_at) == ("reopened", None)
    assert case.variables["reopen_count"] == 1
    handle = case.task("handle_complaint")
    # A reopened complaint gets its own deadline (3 business days) with reminder and escalation timers.
    due = datetime.fromisoformat(case.variables["reopen_due_at"])
    assert handle.due_at == due and due > case.now
    assert case.pending_timers() == {
        "sla_reminder": datetime.fromisoformat(case.variables["reopen_reminder_at"]),
        "sla_breached": due,
    }
    reopened = [e for e in case.audit_actions() if e[1] == "complaint_reopened"]
    assert reopened == [(CUSTOMER_PORTAL.username, "complaint_reopened", "record_reopening")]

    case.answer_and_resolve(ANNA, "credit_note", "80")
    assert case.complaint.status == "resolved"
    case.fire_timers_at(case.now + timedelta(days=14) + SECOND)  # no second rating
    case.close(ANNA, "system_error")
    complaint = case.complaint
    assert (complaint.status, complaint.root_cause, complaint.csat) == ("closed", "system_error", 2)
    assert complaint.closed_at == case.now and complaint.closed_at > closed_at

    assert case.fire_timers_at(case.now + timedelta(days=30) + SECOND) == 1
    assert case.instance.status == "completed"
    assert case.complaint.status == "closed"
    created = [el for _a, action, el in case.audit_actions() if action == "task_created"]
    assert created == ["handle_complaint", "propose_resolution", "close_complaint"] * 2
