"""Resolving a complaint: at first contact, with an approval, and after a rejected proposal (four-eyes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from engine.domain.errors import PermissionDenied
from engine.services.casework import tasks
from tests.processes.support import ANNA, LEA, MAX, MESSAGE, Case


def test_first_contact_resolution(session: Session, now: datetime) -> None:
    case = Case.open(session, now)
    complaint = case.complaint
    # Classification and SLA decisions ran, the clock started, the customer got a receipt.
    assert (complaint.status, complaint.category, complaint.priority) == ("new", "billing", "normal")
    assert (complaint.handling_level, complaint.responsible_group) == (1, "agent")
    assert (complaint.first_response_target, complaint.resolution_target) == ("1 business day", "5 business days")
    assert case.outbox() == [("complaint_acknowledgement", "erika@example.org")]
    handle = case.task("handle_complaint")
    assert (handle.candidate_groups, handle.assignee, handle.priority) == (["agent"], None, 50)
    assert handle.due_at == complaint.first_response_due_at == now + timedelta(days=1)
    assert set(case.pending_timers()) == {"sla_reminder", "sla_breached"}
    assert case.pending_timers()["sla_breached"] == complaint.resolution_due_at

    case.complete(ANNA, "handle_complaint", {"next_step": "resolve", "customer_message": MESSAGE}, hours=1)
    complaint = case.complaint
    assert complaint.status == "open"
    assert (complaint.first_response_at, complaint.first_response_met) == (now + timedelta(hours=1), True)
    # The follow-up task goes straight to the agent who handled the complaint.
    propose = case.task("propose_resolution")
    assert (propose.assignee, propose.due_at) == ("anna", complaint.resolution_due_at)

    case.propose(ANNA, "credit_note", "80")
    complaint = case.complaint
    assert (complaint.status, complaint.resolution_type, complaint.outcome) == ("resolved", "credit_note", "upheld")
    assert complaint.resolution_amount == Decimal("80.00")
    assert complaint.resolution_met is True and complaint.resolved_at == case.now
    assert case.open_tasks() == [] and case.instance.status == "waiting"
    assert set(case.pending_timers()) == {"await_feedback"}
    assert [topic for topic, _to in case.outbox()] == [
        "complaint_acknowledgement",
        "complaint_update",
        "complaint_resolved",
        "feedback_request",
    ]
    assert case.variables["proposed_by"] == "anna" and "approval_decision" not in case.variables
    assert [(actor, action) for actor, action, _el in case.audit_actions() if action.startswith(("task_", "sla_"))] == [
        ("anna", "sla_started"),
        ("anna", "task_created"),
        ("anna", "task_completed"),
        ("anna", "sla_first_response"),
        ("anna", "task_created"),
        ("anna", "task_completed"),
        ("anna", "sla_stopped"),
    ]


def test_approval_granted_by_a_second_person(session: Session, now: datetime) -> None:
    case = Case.open(session, now, amount_disputed=Decimal("350"))
    case.complete(ANNA, "handle_complaint", {"next_step": "resolve", "customer_message": MESSAGE}, hours=1)
    case.propose(ANNA, "refund", "350")
    approve = case.task("approve_resolution")
    assert (approve.candidate_groups, approve.excluded_users, approve.assignee) == (["team_lead"], ["anna"], None)
    assert approve.lane == "Team lead"
    assert case.complaint.status == "open"  # not resolved before the approval

    case.complete(LEA, "approve_resolution", {"approval_decision": "approved", "approval_comment": "Berechtigt."})
    complaint = case.complaint
    assert (complaint.status, complaint.resolution_type, complaint.resolution_amount) == (
        "resolved",
        "refund",
        Decimal("350.00"),
    )
    completions = [(a, el) for a, action, el in case.audit_actions() if action == "task_completed"]
    assert completions == [("anna", "handle_complaint"), ("anna", "propose_resolution"), ("lea", "approve_resolution")]


def test_approval_rejected_then_resubmitted_and_the_proposer_never_approves(session: Session, now: datetime) -> None:
    # A team lead works the complaint herself: her own proposal needs another team lead.
    case = Case.open(session, now, amount_disputed=Decimal("900"), customer_segment="standard")
    case.complete(LEA, "handle_complaint", {"next_step": "resolve", "customer_message": MESSAGE}, hours=1)
    case.propose(LEA, "goodwill", "500", outcome="partly_upheld")
    approve = case.task("approve_resolution")
    assert approve.excluded_users == ["lea"]
    with pytest.raises(PermissionDenied):
        tasks.claim_task(session, LEA, approve.id, case.now)
    with pytest.raises(PermissionDenied):
        tasks.complete_task(session, LEA, approve.id, {"approval_decision": "approved", "approval_comment": "ok!"}, now)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        tasks.assign_task(session, MAX, approve.id, "lea", case.now)
    case.checkpoint("four-eyes refusals changed nothing")

    case.complete(MAX, "approve_resolution", {"approval_decision": "rejected", "approval_comment": "Zu hoch."}, hours=2)
    propose = case.task("propose_resolution")
    assert propose.assignee == "lea"  # back to the proposer, with the reason in the variables
    assert case.variables["approval_comment"] == "Zu hoch."
    assert case.complaint.status == "open"

    case.propose(LEA, "goodwill", "180", outcome="partly_upheld")
    complaint = case.complaint
    assert (complaint.status, complaint.resolution_amount, complaint.outcome) == (
        "resolved",
        Decimal("180.00"),
        "partly_upheld",
    )
    completions = [(a, el) for a, action, el in case.audit_actions() if action == "task_completed"]
    assert completions == [
        ("lea", "handle_complaint"),
        ("lea", "propose_resolution"),
        ("max", "approve_resolution"),
        ("lea", "propose_resolution"),
    ]


def test_the_threshold_is_a_setting_of_the_customer_segment(session: Session, now: datetime) -> None:
    # Business customers: the settings decision allows up to 500 EUR without approval.
    case = Case.open(session, now, customer_segment="business", amount_disputed=Decimal("450"))
    assert case.variables["approval_threshold"] == 500
    case.answer_and_resolve(ANNA, "refund", "450")
    assert case.complaint.status == "resolved"
    assert case.complaint.priority == "high"  # key customer rule of the classification
